// The filter bar every report page shares: dates, team, engineer, territory, picked by name.
import { useDirectory, personName } from '../directory.jsx';
import { Filters } from '../ui.jsx';

export const REPORT_FIELDS = [
  { name: 'date_from', label: 'From', type: 'date' },
  { name: 'date_to', label: 'To', type: 'date' },
  { name: 'team', label: 'Team' },
  { name: 'engineer', label: 'Engineer' },
  { name: 'territory', label: 'Territory' },
];

// Pickers once the names are known; the server still takes the team's id and the username.
function withOptions(dir) {
  const options = {
    team: [['', 'all teams'], ...dir.teams.map((t) => [String(t.id), t.name])],
    engineer: [['', 'all engineers'], ...dir.engineers.map((u) => [u.username, personName(u)])],
    territory: [['', 'all territories'], ...dir.territories.map((t) => [t.code, t.name || t.code])],
  };
  return REPORT_FIELDS.map((f) => (dir.loaded && options[f.name] ? { ...f, options: options[f.name] } : f));
}

export default function ReportFilters({ values, onChange, children }) {
  const dir = useDirectory();
  return <Filters fields={withOptions(dir)} values={values} onChange={onChange}>{children}</Filters>;
}
