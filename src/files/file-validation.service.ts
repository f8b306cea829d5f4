import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal.js';
import { type AgentDefinition } from '../agent-definition/agent-configuration.js';
import { formatOf } from '../agent-definition/config-text.js';
import { maskSecrets } from '../agent-definition/agent-secrets.js';
import { checkConfigTextOffThread } from '../agent-definition/config-check-pool.js';
import { EventBus } from '../realtime/event-bus.service.js';
import { scanContent, type ScanResult } from './content-scan.js';
import type { FileValidationType } from './dto/file-query.dto.js';
import { toFileEventView, toFileResponse } from './dto/file.dto.js';
import type { FileValidationResultDto } from './dto/file-validation.dto.js';
import {
  CONTENT_RULES,
  extensionOf,
  PARSE_LIMIT_BYTES,
  type ParseFormat,
} from './file-categories.js';
import type { FileCheckKind, FileEntity } from './file.entity.js';
import { FilesQuery } from './files.query.js';
import { FilesService } from './files.service.js';
import { sniffMagic } from './magic-bytes.js';
import { FileStore, MissingObjectError, readBytes } from './storage/file-store.js';
import { checkDocxStructure } from './stored-content.js';
import type { ValidationIssue } from './validation-issue.js';

export interface FileValidationJobResult {
  file_id: string;
  /** Set when there was nothing to validate. */
  skipped?: string;
  validation_type?: FileCheckKind;
  is_valid?: boolean;
  errors?: number;
  warnings?: number;
}

/** One file read as an agent definition, for `files.process_agent_configs`. */
export type AgentDefinitionFileResult =
  | { file_id: string; filename: string; ok: true; definition: AgentDefinition }
  | { file_id: string; filename: string | null; ok: false; errors: ValidationIssue[] };

const RECOMMENDED_AGENT_FIELDS = ['tools', 'capabilities'];

/** What `auto` means for a file: its own type's check. */
export function autoCheckKind(file: Pick<FileEntity, 'fileType' | 'filename'>): FileCheckKind {
  if (file.fileType === 'agent_configs') return 'agent_config';
  const extension = extensionOf(file.filename);
  if (extension === '.json') return 'json';
  if (extension === '.yaml' || extension === '.yml') return 'yaml';
  return CONTENT_RULES[extension]?.text ? 'text' : 'binary';
}

function parseFormatOf(kind: FileCheckKind, filename: string): ParseFormat | undefined {
  if (kind === 'json' || kind === 'yaml') return kind;
  if (kind === 'agent_config') return formatOf(filename);
  return undefined;
}

/**
 * Validation of stored files: the validate route, the `files.validate` job, and
 * reading agent definitions for the agents job. Every check starts by re-hashing
 * the content against the checksum taken at upload.
 */
@Injectable()
export class FileValidationService {
  constructor(
    private readonly query: FilesQuery,
    private readonly files: FilesService,
    private readonly store: FileStore,
    private readonly events: EventBus,
  ) {}

  /** Validates as asked; the result is kept on the file when it is the file's own check. */
  async validate(
    id: string,
    type: FileValidationType,
    principal: Principal,
  ): Promise<FileValidationResultDto> {
    const file = await this.files.findVisible(id, principal);
    const own = autoCheckKind(file);
    const kind = type === 'auto' ? own : type;
    const result = await this.check(file, kind);
    if (kind === own) await this.record(file, result);
    // An agent configuration's environment variables read as *** except for admins (as on agents).
    return principal.role === 'admin'
      ? result
      : { ...result, parsed_content: maskParsedSecrets(result.parsed_content) };
  }

  /** The `files.validate` job: idempotent, re-reads the file, keeps the result. */
  async validateAndStore(fileId: string, signal?: AbortSignal): Promise<FileValidationJobResult> {
    const file = await this.query.findById(fileId);
    if (!file) return { file_id: fileId, skipped: 'the file no longer exists' };
    const result = await this.check(file, autoCheckKind(file), signal);
    signal?.throwIfAborted();
    await this.record(file, result);
    return {
      file_id: fileId,
      validation_type: result.validation_type,
      is_valid: result.is_valid,
      errors: result.errors.length,
      warnings: result.warnings.length,
    };
  }

  /** Reads an `agent_configs` file as an agent definition (name, type and configuration). */
  async readAgentDefinitionFile(
    fileId: string,
    signal?: AbortSignal,
  ): Promise<AgentDefinitionFileResult> {
    const file = await this.query.findById(fileId);
    if (!file)
      return {
        file_id: fileId,
        filename: null,
        ok: false,
        errors: [{ message: 'The file does not exist' }],
      };
    const failed = (message: string) => ({
      file_id: fileId,
      filename: file.filename,
      ok: false as const,
      errors: [{ message }],
    });
    if (file.fileType !== 'agent_configs')
      return failed('The file is not an agent configuration (category agent_configs)');
    const result = await this.check(file, 'agent_config', signal);
    if (!result.is_valid)
      return { file_id: fileId, filename: file.filename, ok: false, errors: result.errors };
    return {
      file_id: fileId,
      filename: file.filename,
      ok: true,
      definition: result.parsed_content as AgentDefinition,
    };
  }

  private async check(
    file: FileEntity,
    kind: FileCheckKind,
    signal?: AbortSignal,
  ): Promise<FileValidationResultDto> {
    const errors: ValidationIssue[] = [];
    const warnings: ValidationIssue[] = [];
    const result = (parsed: unknown = null): FileValidationResultDto => ({
      file_id: file.id,
      filename: file.filename,
      validation_type: kind,
      is_valid: errors.length === 0,
      errors,
      warnings,
      parsed_content: parsed,
    });
    const format = parseFormatOf(kind, file.filename);
    let scan: ScanResult;
    try {
      scan = await scanContent(await this.store.read(file.storageKey), {
        text: kind !== 'binary',
        csv: kind === 'text' && extensionOf(file.filename) === '.csv',
        collectUpTo: format ? PARSE_LIMIT_BYTES : 0,
        signal,
      });
    } catch (error) {
      if (!(error instanceof MissingObjectError)) throw error;
      errors.push({ message: 'The stored content is missing' });
      return result();
    }
    if (scan.sha256 !== file.checksum) {
      errors.push({
        message: 'The stored content does not match its checksum: it changed after upload',
      });
    }
    if (kind === 'binary') {
      errors.push(...(await this.checkBinary(file, scan)));
      return result();
    }
    if (scan.utf8Problem) {
      errors.push({ message: scan.utf8Problem.message, line: scan.utf8Problem.line });
      return result();
    }
    if (kind === 'text') {
      warnings.push(...scan.csvWarnings);
      return result();
    }
    if (!format) {
      errors.push({ message: 'Agent configurations are .json, .yaml or .yml files' });
      return result();
    }
    if (!scan.content) {
      warnings.push({
        message: `Not parsed: larger than the ${PARSE_LIMIT_BYTES} bytes parsing limit`,
      });
      return result();
    }
    const checked = await checkConfigTextOffThread({
      text: scan.content.toString('utf8'),
      format,
      schema: kind === 'agent_config' ? 'definition' : 'any',
    });
    errors.push(...checked.errors);
    if (!checked.parsed) return result();
    if (kind === 'agent_config') warnings.push(...this.missingRecommended(checked.value));
    return result(checked.value);
  }

  private async checkBinary(file: FileEntity, scan: ScanResult): Promise<ValidationIssue[]> {
    const rule = CONTENT_RULES[extensionOf(file.filename)];
    if (!rule?.magic) return [];
    const found = sniffMagic(scan.head);
    if (found !== rule.magic) {
      return [
        {
          message: `The content is ${found ? `a ${found.toUpperCase()} file` : 'not recognised'}, not ${rule.magic.toUpperCase()}`,
        },
      ];
    }
    if (rule.container !== 'docx') return [];
    const read = (start: number, end: number) =>
      readBytes(this.store, file.storageKey, { start, end });
    const problem = await checkDocxStructure(read, file.fileSize);
    return problem ? [problem] : [];
  }

  private missingRecommended(value: unknown): ValidationIssue[] {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
    return RECOMMENDED_AGENT_FIELDS.filter((field) => !(field in value)).map((field) => ({
      message: `${field} is not set: the agent gets none`,
      path: field,
    }));
  }

  private async record(file: FileEntity, result: FileValidationResultDto): Promise<void> {
    const updated = await this.query.setValidation(file.id, {
      status: result.is_valid ? 'valid' : 'invalid',
      validation_type: result.validation_type,
      errors: result.errors,
      warnings: result.warnings,
      validated_at: new Date().toISOString(),
    });
    if (updated)
      await this.events.publish('file.validated', {
        file: toFileEventView(toFileResponse(updated)),
      });
  }
}

/** `environment_vars` masked at the top (a configuration) and under `configuration` (a definition). */
function maskParsedSecrets(parsed: unknown): unknown {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return parsed;
  const masked = maskSecrets(parsed as Record<string, unknown>);
  const configuration = masked.configuration;
  if (typeof configuration !== 'object' || configuration === null || Array.isArray(configuration))
    return masked;
  return { ...masked, configuration: maskSecrets(configuration as Record<string, unknown>) };
}
