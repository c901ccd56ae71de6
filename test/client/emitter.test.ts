import { describe, expect, it } from 'vitest';
import { TypedEmitter } from '../../lib/client/emitter.ts';

interface Events {
  readonly said: string;
  readonly counted: number;
}

describe('TypedEmitter', () => {
  it('calls the listeners of an event in the order they were added, and only those', () => {
    const emitter = new TypedEmitter<Events>();
    const calls: string[] = [];
    emitter.on('said', (text) => calls.push(`first ${text}`));
    emitter.on('said', (text) => calls.push(`second ${text}`));
    emitter.on('counted', (count) => calls.push(`count ${count}`));

    emitter.emit('said', 'hello');

    expect(calls).toEqual(['first hello', 'second hello']);
  });

  it('stops calling a listener removed with off or with the function on returned', () => {
    const emitter = new TypedEmitter<Events>();
    const calls: string[] = [];
    const byOff = (text: string) => calls.push(`off ${text}`);
    emitter.on('said', byOff);
    const remove = emitter.on('said', (text) => calls.push(`returned ${text}`));
    emitter.on('said', (text) => calls.push(`kept ${text}`));

    emitter.off('said', byOff);
    remove();
    emitter.emit('said', 'hello');

    expect(calls).toEqual(['kept hello']);
    expect(emitter.listenerCount('said')).toBe(1);
  });

  it('calls every listener present when an emit starts once, whatever the listeners add or remove', () => {
    const emitter = new TypedEmitter<Events>();
    const calls: string[] = [];
    const late = (text: string) => calls.push(`late ${text}`);
    let removeSecond = () => {};
    emitter.on('said', (text) => {
      calls.push(`first ${text}`);
      removeSecond();
      emitter.on('said', late);
    });
    removeSecond = emitter.on('said', (text) => calls.push(`second ${text}`));

    emitter.emit('said', 'one');
    emitter.emit('said', 'two');

    expect(calls).toEqual(['first one', 'second one', 'first two', 'late two']);
  });

  it('does nothing for an event without listeners', () => {
    const emitter = new TypedEmitter<Events>();
    expect(() => emitter.emit('counted', 1)).not.toThrow();
    expect(emitter.listenerCount('counted')).toBe(0);
  });
});
