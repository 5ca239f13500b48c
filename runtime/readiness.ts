/** One check behind /readyz and `trellis doctor`. `degraded` still serves; `failed` does not. */
export interface ReadinessCheck {
  readonly name: string;
  readonly state: 'ok' | 'degraded' | 'failed';
  readonly detail: string;
  readonly hint?: string;
}
