// Teams, engineers and territories by name for the console's pickers, loaded once per console.
import { createContext, useContext, useEffect, useState } from 'react';

export const ConsoleApiContext = createContext(null);

const EMPTY = { teams: [], engineers: [], territories: [], loaded: false };

function items(page) {
  return (page && page.items) || [];
}

/** {teams, engineers, territories}: what the signed-in head or admin may pick from. */
export function useDirectory() {
  const api = useContext(ConsoleApiContext);
  const [dir, setDir] = useState(EMPTY);
  useEffect(() => {
    if (!api) return undefined;
    let live = true;
    const none = () => null;
    Promise.all([
      api.get('/api/v1/teams', { page_size: 200, sort: 'name' }).catch(none),
      api.get('/api/v1/users', { role: 'engineer', page_size: 200, sort: 'username' }).catch(none),
      api.get('/api/v1/territories', { page_size: 200, sort: 'name' }).catch(none),
    ]).then(([teams, engineers, territories]) => {
      if (live) setDir({ teams: items(teams), engineers: items(engineers), territories: items(territories), loaded: true });
    });
    return () => { live = false; };
  }, [api]);
  return dir;
}

export function personName(user) {
  return user.full_name ? `${user.full_name} (${user.username})` : user.username;
}
