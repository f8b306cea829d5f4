import { ANY_JSON_OR_NULL } from '../../common/http/api-responses.js';
import { ApiProperty } from '@nestjs/swagger';
import { FILE_CHECK_KINDS, type FileCheckKind } from '../file.entity.js';
import { ValidationIssueDto } from './file.dto.js';

export class FileValidationResultDto {
  @ApiProperty({ format: 'uuid' }) file_id: string;
  @ApiProperty() filename: string;

  @ApiProperty({
    enum: FILE_CHECK_KINDS,
    enumName: 'FileCheckKind',
    description: 'The check that ran; `auto` resolves by category and extension',
  })
  validation_type: FileCheckKind;

  @ApiProperty() is_valid: boolean;
  @ApiProperty({ type: [ValidationIssueDto] }) errors: ValidationIssueDto[];
  @ApiProperty({ type: [ValidationIssueDto] }) warnings: ValidationIssueDto[];

  @ApiProperty({
    ...ANY_JSON_OR_NULL,
    description: 'The parsed document for json, yaml and agent_config checks (null otherwise)',
  })
  parsed_content: unknown;
}
