// The sign-in form that index.html shows before the scripts arrive: what the engineer typed
// there, and whether they already pressed "Sign in", is handed to the real form.
export function takeBootSignIn(doc = document) {
  const page = doc.getElementById('boot-login');
  if (!page) return null;
  const value = (name) => (page.querySelector(`input[name=${name}]`) || {}).value || '';
  return { username: value('username'), password: value('password'),
    submitted: page.dataset.submitted === 'yes' };
}
