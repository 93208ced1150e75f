import { Suspense, type ReactNode } from 'react';
import { Spinner } from '../components/Bits';

export function Lazy({ children }: { children: ReactNode }) {
  return (
    <Suspense
      fallback={
        <p className="screen muted loading-line">
          <Spinner /> Loading…
        </p>
      }
    >
      {children}
    </Suspense>
  );
}
