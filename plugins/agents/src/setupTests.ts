import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// Pages load lazily; on a busy CI machine (two cores, suites in parallel) that takes longer than
// testing-library's default of one second for findBy*/waitFor. A real failure still fails, later.
configure({ asyncUtilTimeout: 10_000 });
