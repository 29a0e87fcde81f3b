import { useEffect, useRef } from 'react';
import { QuitButton, TrayNotice, useAppSupport } from './components/AppControls';
import { go, useHashRoute } from './useHashRoute';
import { ActivityView } from './views/ActivityView';
import { EditProfileView } from './views/EditProfileView';
import { ImportWizard } from './views/ImportWizard';
import { ProfileListView } from './views/ProfileListView';
import { PromptWindowView } from './views/PromptWindowView';
import { RoleForm } from './views/RoleForm';
import { SettingsView } from './views/SettingsView';
import { UserForm } from './views/UserForm';

const NAV: Array<{ view: string; label: string }> = [
  { view: 'profiles', label: 'Profiles' },
  { view: 'add-user', label: 'Add access key' },
  { view: 'add-role', label: 'Add role' },
  { view: 'import', label: 'Import' },
  { view: 'activity', label: 'Activity' },
  { view: 'settings', label: 'Settings' },
];

export function App() {
  const [view, arg] = useHashRoute();
  const mainRef = useRef<HTMLElement>(null);
  const support = useAppSupport();

  // Move focus to the new view's heading so keyboard and screen-reader users land in it.
  useEffect(() => {
    mainRef.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [view, arg]);

  // The MFA prompt window loads the same page with #prompt and shows nothing else.
  if (view === 'prompt') return <PromptWindowView />;

  return (
    <div className="layout">
      <a className="skip-link" href="#main" onClick={(e) => { e.preventDefault(); mainRef.current?.querySelector<HTMLElement>('h1')?.focus(); }}>
        Skip to content
      </a>
      <nav className="sidebar" aria-label="Keytray">
        <div className="brand" aria-hidden="true">
          <span className="brand-mark">⌘</span> Keytray
        </div>
        <ul>
          {NAV.map((item) => (
            <li key={item.view}>
              <a
                href={`#${item.view}`}
                aria-current={view === item.view || (view === 'edit' && item.view === 'profiles') ? 'page' : undefined}
                onClick={(e) => {
                  e.preventDefault();
                  go(item.view);
                }}
              >
                {item.label}
              </a>
            </li>
          ))}
        </ul>
        <QuitButton />
      </nav>
      <main id="main" ref={mainRef}>
        <TrayNotice support={support} />
        {view === 'profiles' && <ProfileListView />}
        {view === 'add-user' && <UserForm key={`add-${arg ?? ''}`} initialProfile={arg} />}
        {view === 'add-role' && <RoleForm key="add" />}
        {view === 'edit' && arg && <EditProfileView key={arg} profile={arg} />}
        {view === 'import' && <ImportWizard />}
        {view === 'activity' && <ActivityView />}
        {view === 'settings' && <SettingsView />}
        {!['profiles', 'add-user', 'add-role', 'edit', 'import', 'activity', 'settings'].includes(view) && <ProfileListView />}
      </main>
    </div>
  );
}
