import { AppError } from '@annex/platform';

export const taskNotFound = () =>
  new AppError('TASK_NOT_FOUND', 404, 'No such task, or it is not assigned to you.');
export const noTaskAvailable = () =>
  new AppError('NO_TASK_AVAILABLE', 404, 'There is no task waiting for you right now.');
export const revisionConflict = (current: number) =>
  new AppError(
    'REVISION_CONFLICT',
    409,
    `The annotation changed elsewhere (now at revision ${current}); reload it before saving.`,
    {
      currentRevision: current,
    },
  );
export const notEditable = (status: string) =>
  new AppError(
    'ASSIGNMENT_NOT_EDITABLE',
    409,
    `This task was ${status === 'submitted' ? 'already submitted' : status}; it cannot be changed now.`,
  );

// The project's review stage (review.ts).
export const notAReviewer = () =>
  new AppError('NOT_A_REVIEWER', 403, 'Only a user with the reviewer role can review annotations.');
export const notAwaitingReview = (status: string) =>
  new AppError(
    'NOT_AWAITING_REVIEW',
    409,
    `This work is not waiting for review (it is ${status === 'submitted' ? 'approved' : status}).`,
  );
export const ownWork = () =>
  new AppError(
    'REVIEW_OWN_WORK',
    403,
    'You cannot review annotations of a task you annotated yourself; another reviewer must.',
  );
export const assignmentNotFound = () =>
  new AppError('ASSIGNMENT_NOT_FOUND', 404, 'No such submitted work on this site.');
