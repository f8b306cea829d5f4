import { getMetadataStorage } from 'class-validator';

type Storage = ReturnType<typeof getMetadataStorage>;
type ValidationMetadata = ReturnType<Storage['getTargetValidationMetadatas']>[number];
type Grouped = Record<string, ValidationMetadata[]>;

const installed = new WeakSet<Storage>();

/**
 * class-validator works out a class's rules again for every object it validates: it walks
 * every decorated class in the app to find the ancestors, then groups the rules by
 * property (typestack/class-validator#2686). A 1,000-line log batch paid that 1,000 times.
 * This keeps each answer until a rule is added (classes add theirs as they load), so the
 * rules a validation sees are the same as before. Idempotent.
 */
export function memoizeValidationMetadata(storage: Storage = getMetadataStorage()): void {
  if (installed.has(storage)) return;
  installed.add(storage);
  const lookup = storage.getTargetValidationMetadatas.bind(storage);
  const group = storage.groupByPropertyName.bind(storage);
  let resolved = new Map<unknown, Map<string, ValidationMetadata[]>>();
  let grouped = new WeakMap<ValidationMetadata[], Grouped>();
  const forget = () => {
    resolved = new Map();
    grouped = new WeakMap();
  };
  const addRule = storage.addValidationMetadata.bind(storage);
  const addSchema = storage.addValidationSchema.bind(storage);
  storage.addValidationMetadata = (rule) => {
    forget();
    addRule(rule);
  };
  storage.addValidationSchema = (schema) => {
    forget();
    addSchema(schema);
  };
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    const key = `${schema}\0${always}\0${strictGroups}\0${groups?.join('\0') ?? ''}\0${groups?.length ?? -1}`;
    let byKey = resolved.get(target);
    if (!byKey) resolved.set(target, (byKey = new Map()));
    let rules = byKey.get(key);
    if (!rules) byKey.set(key, (rules = lookup(target, schema, always, strictGroups, groups)));
    return rules;
  };
  storage.groupByPropertyName = (rules) => {
    let byProperty = grouped.get(rules);
    if (!byProperty) grouped.set(rules, (byProperty = group(rules)));
    return byProperty;
  };
}
