/**
 * Every entity class, listed explicitly (not globbed) so that the app, the migration
 * CLI and the tests load the same classes through the same module system.
 */
export const ENTITIES: (new () => object)[] = [];
