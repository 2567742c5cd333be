/** A small Prometheus registry: counters and a latency histogram, rendered as text format 0.0.4. */

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

function labelText (labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
  return parts.length === 0 ? '' : `{${parts.join(',')}}`
}

export function createMetrics () {
  const counters = new Map<string, { help: string, values: Map<string, number> }>()
  const histogram = { counts: new Map<string, number[]>(), sums: new Map<string, number>() }

  function incLabelled (name: string, help: string, key: string, by: number): void {
    let c = counters.get(name)
    if (c === undefined) { c = { help, values: new Map() }; counters.set(name, c) }
    c.values.set(key, (c.values.get(key) ?? 0) + by)
  }

  function inc (name: string, help: string, labels: Record<string, string> = {}, by = 1): void {
    incLabelled(name, help, labelText(labels), by)
  }

  function observeLabelled (key: string, seconds: number): void {
    const counts = histogram.counts.get(key) ?? new Array<number>(BUCKETS.length + 1).fill(0)
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= (BUCKETS[i] as number)) counts[i] = (counts[i] as number) + 1
    counts[BUCKETS.length] = (counts[BUCKETS.length] as number) + 1
    histogram.counts.set(key, counts)
    histogram.sums.set(key, (histogram.sums.get(key) ?? 0) + seconds)
  }

  /** Per answered request: a label set is rendered once per route and status, not on every request. */
  const httpLabels = new Map<string, { counter: string, histogram: string }>()
  function observeHttp (route: string, statusCode: number, seconds: number): void {
    const id = `${statusCode} ${route}`
    let labels = httpLabels.get(id)
    if (labels === undefined) httpLabels.set(id, labels = { counter: labelText({ route, status: String(statusCode) }), histogram: labelText({ route }) })
    incLabelled('bsb_http_requests_total', 'HTTP requests by route and status.', labels.counter, 1)
    observeLabelled(labels.histogram, seconds)
  }

  function render (gauges: Record<string, { help: string, value: number }> = {}): string {
    const lines: string[] = []
    for (const [name, c] of counters) {
      lines.push(`# HELP ${name} ${c.help}`, `# TYPE ${name} counter`)
      for (const [labels, value] of c.values) lines.push(`${name}${labels} ${value}`)
    }
    lines.push('# HELP bsb_http_request_duration_seconds Request latency by route.', '# TYPE bsb_http_request_duration_seconds histogram')
    for (const [labels, counts] of histogram.counts) {
      const inner = labels.slice(1, -1)
      BUCKETS.forEach((b, i) => lines.push(`bsb_http_request_duration_seconds_bucket{${inner},le="${b}"} ${counts[i] as number}`))
      lines.push(`bsb_http_request_duration_seconds_bucket{${inner},le="+Inf"} ${counts[BUCKETS.length] as number}`)
      lines.push(`bsb_http_request_duration_seconds_sum${labels} ${histogram.sums.get(labels) ?? 0}`)
      lines.push(`bsb_http_request_duration_seconds_count${labels} ${counts[BUCKETS.length] as number}`)
    }
    for (const [name, g] of Object.entries(gauges)) lines.push(`# HELP ${name} ${g.help}`, `# TYPE ${name} gauge`, `${name} ${g.value}`)
    return lines.join('\n') + '\n'
  }

  return { inc, observeHttp, render }
}

export type Metrics = ReturnType<typeof createMetrics>
