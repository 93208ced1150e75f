import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { ErrorBoundary } from './components/ErrorBoundary';
import { applyTheme, useStore } from './store';
import './styles/tokens.css';
import './styles/app.css';

applyTheme(useStore.getState().theme);

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element');
createRoot(container).render(
  <StrictMode>
    <ErrorBoundary scope="the application">
      <App />
    </ErrorBoundary>
  </StrictMode>,
);
