// Hash routing: "#/offers/offer:abc" -> "/offers/offer:abc"; deep links survive a reload.
import { useEffect, useState } from 'react';

export function currentRoute() {
  return decodeURIComponent(window.location.hash.replace(/^#/, '')) || '/';
}

export function go(path) {
  window.location.hash = `#${path}`;
}

export function useHashRoute() {
  const [route, setRoute] = useState(currentRoute());
  useEffect(() => {
    const changed = () => setRoute(currentRoute());
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return [route, go];
}
