import dc from 'node:diagnostics_channel';

/** A family of channel subscribers that can be attached and detached as one. */
export interface ChannelSubscription {
  subscribe(): void;
  unsubscribe(): void;
}

type ChannelListener = (message: unknown, name: string | symbol) => void;

/** Subscribes and unsubscribes a fixed list of (channel name, listener) pairs together. */
export function channelSubscription(
  pairs: readonly (readonly [string, ChannelListener])[],
): ChannelSubscription {
  return {
    subscribe() {
      for (const [name, fn] of pairs) dc.subscribe(name, fn);
    },
    unsubscribe() {
      for (const [name, fn] of pairs) dc.unsubscribe(name, fn);
    },
  };
}
