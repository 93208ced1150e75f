import { version } from '../../package.json';

/** The one version, package.json's: in `--version`, the report's generator and the install kit's name. */
export const PROBITY_VERSION: string = version;
