import { useState } from 'react';
import { errorMessage } from '../../api/client';
import { ErrorPanel, Spinner } from '../../components/Bits';
import { useStore } from '../../store';

export function VerifyButton({ caseId }: { caseId: string }) {
  const job = useStore((s) => {
    const id = s.verifyJobOf[caseId];
    return id ? s.jobs[id] : undefined;
  });
  const startVerify = useStore((s) => s.startVerify);
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const running = job?.status === 'running';
  return (
    <div className="verify-actions">
      <button
        type="button"
        className="btn btn-primary"
        disabled={running || starting}
        onClick={() => {
          setStarting(true);
          setError(null);
          startVerify(caseId)
            .catch((err: unknown) => setError(errorMessage(err)))
            .finally(() => setStarting(false));
        }}
      >
        {running || starting ? <Spinner label="Verifying" /> : null}
        {running ? 'Verifying…' : 'Verify now'}
      </button>
      {error ? <ErrorPanel title="Verification did not start" message={error} /> : null}
    </div>
  );
}
