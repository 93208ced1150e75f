import type { RoleAssignment } from '../../../../shared/incident';
import type { CustodianView } from '../../../../shared/custodians';
import type { Update } from './useChange';
import { RoleRow } from './RoleRow';
import { useStore } from '../../store';

export function RolesSection({
  roles,
  custodians,
  update,
}: {
  roles: RoleAssignment[];
  custodians: CustodianView[];
  update: Update;
}) {
  const navigate = useStore((s) => s.navigate);
  const openCustodians = (e: React.MouseEvent) => {
    e.preventDefault();
    navigate({ name: 'custodians' });
  };
  return (
    <div className="integrity-section" aria-labelledby="pm-roles-heading">
      <div className="integrity-section-header">
        <h3 id="pm-roles-heading">Team roles</h3>
        <span className="muted">
          Model compromise needs a broader team. A role held by a custodian of this workstation carries their
          key fingerprint.
        </span>
      </div>
      <div className="table-wrap">
        <table className="table table-compact pm-table" data-testid="pm-roles">
          <thead>
            <tr>
              <th>Role</th>
              <th>Assigned</th>
              <th>Assign</th>
            </tr>
          </thead>
          <tbody>
            {roles.map((r) => (
              <RoleRow key={r.role} role={r} custodians={custodians} update={update} />
            ))}
          </tbody>
        </table>
      </div>
      {custodians.length === 0 ? (
        <p className="field-help">
          No custodian key on this workstation:{' '}
          <a href="#/custodians" onClick={openCustodians}>
            add one in Custodians &amp; keys
          </a>{' '}
          to tie a role to a key and to sign the report.
        </p>
      ) : null}
    </div>
  );
}
