/** A family of channel subscribers that can be attached and detached as one. */
export interface ChannelSubscription {
  subscribe(): void;
  unsubscribe(): void;
}
