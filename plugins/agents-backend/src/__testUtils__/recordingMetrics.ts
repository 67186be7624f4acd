import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  metricsServiceRef,
  type MetricAttributes,
  type MetricOptions,
  type MetricsService,
} from '@backstage/backend-plugin-api/alpha';

/** One measurement: a counter's increment or a histogram's sample. */
export interface RecordedMeasurement {
  value: number;
  attributes: MetricAttributes;
}

/** An instrument as it was created, and what was recorded in it. */
export interface RecordedInstrument {
  kind: 'counter' | 'upDownCounter' | 'histogram' | 'gauge' | 'observable';
  options?: MetricOptions;
  measurements: RecordedMeasurement[];
}

/**
 * A MetricsService that keeps every instrument it creates and every measurement made in them, so a
 * test can read what the code recorded.
 */
export class RecordingMetricsService implements MetricsService {
  readonly instruments = new Map<string, RecordedInstrument>();

  /** Serves this recorder as the plugin's `metricsServiceRef` in a test backend. */
  factory() {
    return createServiceFactory({
      service: metricsServiceRef,
      deps: {},
      factory: () => this,
    });
  }

  /** The measurements of instrument `name` (none if it was never created). */
  measurements(
    name: string,
    attributes: MetricAttributes = {},
  ): RecordedMeasurement[] {
    return (this.instruments.get(name)?.measurements ?? []).filter(m =>
      Object.entries(attributes).every(
        ([key, value]) => m.attributes[key] === value,
      ),
    );
  }

  /** The sum of instrument `name`'s measurements whose attributes include `attributes`. */
  sum(name: string, attributes: MetricAttributes = {}): number {
    return this.measurements(name, attributes).reduce(
      (total, m) => total + m.value,
      0,
    );
  }

  createCounter(name: string, options?: MetricOptions) {
    return { add: this.recorder(name, 'counter', options) };
  }

  createUpDownCounter(name: string, options?: MetricOptions) {
    return { add: this.recorder(name, 'upDownCounter', options) };
  }

  createHistogram(name: string, options?: MetricOptions) {
    return { record: this.recorder(name, 'histogram', options) };
  }

  createGauge(name: string, options?: MetricOptions) {
    return { record: this.recorder(name, 'gauge', options) };
  }

  createObservableCounter(name: string, options?: MetricOptions) {
    return this.observable(name, options);
  }

  createObservableUpDownCounter(name: string, options?: MetricOptions) {
    return this.observable(name, options);
  }

  createObservableGauge(name: string, options?: MetricOptions) {
    return this.observable(name, options);
  }

  private recorder(
    name: string,
    kind: RecordedInstrument['kind'],
    options?: MetricOptions,
  ) {
    const instrument = this.instrument(name, kind, options);
    return (value: number, attributes: MetricAttributes = {}) => {
      instrument.measurements.push({ value, attributes });
    };
  }

  private observable(name: string, options?: MetricOptions) {
    this.instrument(name, 'observable', options);
    return { addCallback: () => undefined, removeCallback: () => undefined };
  }

  private instrument(
    name: string,
    kind: RecordedInstrument['kind'],
    options?: MetricOptions,
  ) {
    const existing = this.instruments.get(name);
    if (existing) return existing;
    const created: RecordedInstrument = { kind, options, measurements: [] };
    this.instruments.set(name, created);
    return created;
  }
}
