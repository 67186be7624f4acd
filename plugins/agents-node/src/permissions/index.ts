export * from './resourceRef';
export * from './rules';
export * from './conditionExports';
