export type { Access, AuthorizeOptions } from "./authorize.ts";
export { authorize, roleOn } from "./authorize.ts";
export type { Action, Need } from "./policy.ts";
export { ACTIONS, isAction } from "./policy.ts";
export type { Lookup, RequestFields, Rule } from "./rules.ts";
export { BOT_AS_ITSELF, PUBLIC, RULES, ruleFor, UNLINKED_CHAT_ALLOWED } from "./rules.ts";
