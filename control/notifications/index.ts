// Chat notifications: routes, the per-platform feed derived from the audit chain, and its positions.
export { deriveNotification, NOTIFYING_ACTIONS, type NotificationContent } from "./derive.ts";
export { ackDelivery, type Delivery, deliveriesOf, type FeedOptions, watchFeed } from "./feed.ts";
export { type ChatMessageRow, listChatMessages, setChatMessage } from "./messages.ts";
export {
  type Cursor,
  ensureCursor,
  isNotificationKind,
  listRoutes,
  type NotificationKindName,
  type NotificationRouteRow,
  parsePlatform,
  type RouteInput,
  removeRoute,
  routeMatches,
  setRoute,
} from "./routes.ts";
