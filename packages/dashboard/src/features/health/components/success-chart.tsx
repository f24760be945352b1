import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { ChartPoint } from '../api/health-api';

/** Runs per day as stacked bars and the day's success rate as a line (recharts). */
export function SuccessChart({ points }: { points: ChartPoint[] }) {
  return (
    <div className="h-72 w-full" role="img" aria-label="Chart of runs per day and the daily success rate; the table below lists the same numbers">
      <ResponsiveContainer width="100%" height="100%">
        <ComposedChart data={points} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="#e2e8f0" vertical={false} />
          <XAxis dataKey="label" tick={{ fontSize: 12, fill: '#475569' }} interval="preserveStartEnd" minTickGap={16} />
          <YAxis yAxisId="runs" allowDecimals={false} tick={{ fontSize: 12, fill: '#475569' }} width={36} label={{ value: 'Runs', angle: -90, position: 'insideLeft', fill: '#475569', fontSize: 12 }} />
          <YAxis yAxisId="rate" orientation="right" domain={[0, 100]} unit="%" tick={{ fontSize: 12, fill: '#475569' }} width={48} />
          <Tooltip formatter={(value, name) => (name === 'Success rate' ? (value === null || value === undefined ? '—' : `${value}%`) : value)} />
          {/* Series colours are too light for text: the legend's words stay dark, its swatches carry the colour. */}
          <Legend wrapperStyle={{ fontSize: 12 }} formatter={(value: string) => <span style={{ color: '#334155' }}>{value}</span>} />
          <Bar yAxisId="runs" dataKey="success" name="Successful runs" stackId="runs" fill="#10b981" isAnimationActive={false} />
          <Bar yAxisId="runs" dataKey="withSkips" name="Completed with skips" stackId="runs" fill="#f59e0b" isAnimationActive={false} />
          <Bar yAxisId="runs" dataKey="failed" name="Failed runs" stackId="runs" fill="#ef4444" isAnimationActive={false} />
          <Bar yAxisId="runs" dataKey="abandoned" name="Abandoned" stackId="runs" fill="#cbd5e1" isAnimationActive={false} />
          <Line yAxisId="rate" type="monotone" dataKey="rate" name="Success rate" stroke="#4f46e5" strokeWidth={2} dot={false} connectNulls isAnimationActive={false} />
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}
