// The filter bar every report page shares: dates, team, engineer, territory.
import { Filters } from '../ui.jsx';

export const REPORT_FIELDS = [
  { name: 'date_from', label: 'From', type: 'date' },
  { name: 'date_to', label: 'To', type: 'date' },
  { name: 'team', label: 'Team id' },
  { name: 'engineer', label: 'Engineer' },
  { name: 'territory', label: 'Territory' },
];

export default function ReportFilters({ values, onChange, children }) {
  return <Filters fields={REPORT_FIELDS} values={values} onChange={onChange}>{children}</Filters>;
}
