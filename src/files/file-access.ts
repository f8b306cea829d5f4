import type { Principal } from '../auth/principal.js';
import { roleSatisfies } from '../auth/roles.js';
import { ForbiddenError } from '../common/errors/app-errors.js';
import type { FileEntity } from './file.entity.js';

/** Backups hold the whole database: only admins see them at all. */
export function seesBackups(principal: Principal): boolean {
  return roleSatisfies(principal.role, 'admin');
}

export function isVisibleTo(file: FileEntity, principal: Principal): boolean {
  return file.fileType !== 'backups' || seesBackups(principal);
}

/** Deleting and re-tagging a file is for the one who uploaded it, or an admin. */
export function assertMayModify(file: FileEntity, principal: Principal): void {
  if (file.uploadedBy === principal.id || roleSatisfies(principal.role, 'admin')) return;
  throw new ForbiddenError('Only the uploader or an admin may change or delete this file');
}
