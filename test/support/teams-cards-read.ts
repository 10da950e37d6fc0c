import type { ConnectorCall } from './fake-connector.js';

// Reading what golive sent to Teams the way a person would: the text on its cards, and its buttons.

type Json = Record<string, unknown>;

/** Every Adaptive Card in a message or invoke answer. */
export function cardsOf(body: unknown): Json[] {
  const attachments = (body as { attachments?: Array<{ contentType?: string; content?: Json }> } | undefined)?.attachments ?? [];
  return attachments.filter((a) => a.contentType === 'application/vnd.microsoft.card.adaptive' && a.content).map((a) => a.content!);
}

/** All the text a card shows, joined: what a person reads on it (zero-width spaces are not seen). */
export function cardText(card: unknown): string {
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const record = node as Json;
    if ((record.type === 'TextRun' || record.type === 'TextBlock') && typeof record.text === 'string') out.push(record.text);
    if (record.type === 'Input.Text' && typeof record.label === 'string') out.push(record.label);
    for (const [key, value] of Object.entries(record)) if (key !== 'data' && key !== 'refresh') walk(value);
  };
  walk(card);
  return out.join('\n').replace(/\u200b/g, '');
}

/** The text of every card in a call's message. */
export function messageText(call: ConnectorCall | undefined): string {
  return call ? cardsOf(call.body).map(cardText).join('\n') : '';
}

/** The Action.Execute buttons of a card, outside its refresh: verb and data. */
export function buttonsOf(card: unknown): Array<{ verb: string; title?: string; data: Json }> {
  const out: Array<{ verb: string; title?: string; data: Json }> = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const record = node as Json;
    if (record.type === 'Action.Execute' && typeof record.verb === 'string')
      out.push({ verb: record.verb, ...(typeof record.title === 'string' && { title: record.title }), data: (record.data as Json) ?? {} });
    for (const [key, value] of Object.entries(record)) if (key !== 'refresh') walk(value);
  };
  walk(card);
  return out;
}

/** The ids of a card's inputs. */
export function inputsOf(card: unknown): string[] {
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const record = node as Json;
    if (typeof record.type === 'string' && record.type.startsWith('Input.') && typeof record.id === 'string') out.push(record.id);
    for (const value of Object.values(record)) walk(value);
  };
  walk(card);
  return out;
}

/** The card an invoke answered with (`{ statusCode: 200, type: adaptive, value: card }`). */
export function invokeCard(json: unknown): Json {
  const body = json as { statusCode?: number; type?: string; value?: Json } | undefined;
  if (body?.statusCode !== 200 || body.type !== 'application/vnd.microsoft.card.adaptive' || !body.value) throw new Error(`not a card invoke response: ${JSON.stringify(json)?.slice(0, 300)}`);
  return body.value;
}

type Node = Record<string, unknown>;

/** Every object in a card that has a `type`, depth first. */
export function nodes(value: unknown, out: Node[] = []): Node[] {
  if (Array.isArray(value)) value.forEach((v) => nodes(v, out));
  else if (typeof value === 'object' && value !== null) {
    if (typeof (value as Node).type === 'string') out.push(value as Node);
    Object.values(value).forEach((v) => nodes(v, out));
  }
  return out;
}
