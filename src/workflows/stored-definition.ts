import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type { FieldError } from '../common/errors/app-errors.js';
import { flattenValidationErrors } from '../common/validation/validation-pipe.js';
import { WorkflowStepDto } from './dto/workflow-step.dto.js';
import { checkDefinition, withStepDefaults, type WorkflowStep } from './workflow-definition.js';

/**
 * What stops a stored definition from running: each step checked as at create and
 * update (a definition stored before a check existed, or written by another path),
 * then the graph. Empty when it can run.
 */
export function storedDefinitionProblems(steps: unknown): FieldError[] {
  if (!Array.isArray(steps)) return [{ field: 'steps', message: 'must be a list of steps' }];
  const problems: FieldError[] = [];
  steps.forEach((step: unknown, index) => {
    if (typeof step !== 'object' || step === null) {
      problems.push({ field: `steps.${index}`, message: 'must be an object' });
      return;
    }
    const errors = validateSync(plainToInstance(WorkflowStepDto, step), {
      validationError: { target: false, value: true },
    });
    const key = (step as { key?: unknown }).key;
    const label = typeof key === 'string' ? ` (step "${key}")` : '';
    problems.push(...flattenValidationErrors(errors, `steps.${index}`, label));
  });
  if (problems.length) return problems;
  return checkDefinition((steps as WorkflowStep[]).map(withStepDefaults)).errors;
}
