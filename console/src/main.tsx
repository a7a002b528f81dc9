import '@picocss/pico/css/pico.min.css';
import './style.css';
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { loadConfig, onSessionChange, signedIn } from './api.ts';
import { AccountBar } from './components/account.tsx';
import { AccountPage } from './pages/account.tsx';
import { SignIn, SignUp } from './pages/auth.tsx';
import { ProjectPage } from './pages/project.tsx';
import { ProjectsPage } from './pages/projects.tsx';

/**
 * Hash routes work from any static host without rewrite rules: #/, #/signin, #/signup, #/account,
 * #/projects/{id}.
 */
function useRoute(): string {
  const [route, setRoute] = useState(location.hash.slice(1) || '/');
  useEffect(() => {
    const changed = () => setRoute(location.hash.slice(1) || '/');
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
}

function App() {
  const route = useRoute();
  const [authed, setAuthed] = useState(signedIn());
  const main = useRef<HTMLElement>(null);
  useEffect(() => onSessionChange(() => setAuthed(signedIn())), []);
  // A new page (not the first) moves focus to its heading, so that keyboard and screen-reader users start
  // there; the first page leaves focus at the top, where Tab reaches the skip link.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) first.current = false;
    else main.current?.querySelector('h1')?.focus();
  }, [route, authed]);

  let page = null;
  const project = /^\/projects\/([\w-]+)$/.exec(route);
  if (!authed) page = route === '/signup' ? <SignUp /> : <SignIn />;
  else if (project) page = <ProjectPage projectId={project[1]!} />;
  else if (route === '/account') page = <AccountPage />;
  else page = <ProjectsPage />;

  return (
    <>
      {/* A button, not a #main link: the hash is the route. */}
      <button type="button" class="skip" onClick={() => main.current?.focus()}>
        Skip to content
      </button>
      <header class="container">
        <nav aria-label="Main">
          <ul>
            <li>
              <a href="#/" class="brand">
                AI video
              </a>
            </li>
          </ul>
          {authed ? <AccountBar /> : null}
        </nav>
      </header>
      <main id="main" class="container" ref={main} tabIndex={-1}>
        {page}
      </main>
    </>
  );
}

await loadConfig();
render(<App />, document.getElementById('app')!);
