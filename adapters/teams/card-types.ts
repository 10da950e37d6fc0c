// The part of Adaptive Cards 1.5 golive emits, typed so a renderer cannot emit anything else by
// accident. Enum values are spelled as Microsoft's own serializer spells them (`Bolder`, `None`,
// lower-case container styles), so a card survives a parse and re-serialisation unchanged, which is
// how the tests check it against the schema.

export type Spacing = 'None' | 'Small' | 'Medium';

export interface OpenUrl {
  type: 'Action.OpenUrl';
  url: string;
}

export interface TextRun {
  type: 'TextRun';
  text: string;
  weight?: 'Bolder';
  italic?: true;
  fontType?: 'Monospace';
  isSubtle?: true;
  size?: 'Small' | 'Large';
  color?: 'Attention';
  selectAction?: OpenUrl;
}

interface Placed {
  spacing?: Spacing;
  separator?: true;
}

/** No markdown: what golive shows of anything a person typed. */
export interface RichTextBlock extends Placed {
  type: 'RichTextBlock';
  inlines: TextRun[];
}

/** Markdown and mentions: used only for lines that mention someone on Teams, with inert text. */
export interface TextBlock extends Placed {
  type: 'TextBlock';
  text: string;
  wrap: true;
  isSubtle?: true;
  size?: 'Small';
}

export interface Container extends Placed {
  type: 'Container';
  style?: 'good' | 'attention' | 'warning' | 'accent';
  items: CardElement[];
}

export interface Column {
  type: 'Column';
  width: 'stretch';
  items: CardElement[];
}

export interface ColumnSet extends Placed {
  type: 'ColumnSet';
  columns: Column[];
}

export interface ActionSet extends Placed {
  type: 'ActionSet';
  actions: CardAction[];
}

export interface InputText extends Placed {
  type: 'Input.Text';
  id: string;
  label: string;
  isMultiline?: true;
  isRequired?: true;
  errorMessage?: string;
  placeholder?: string;
  maxLength: number;
  value?: string;
}

export type CardElement = RichTextBlock | TextBlock | Container | ColumnSet | ActionSet | InputText;

export interface Execute {
  type: 'Action.Execute';
  title: string;
  verb: string;
  data: Record<string, unknown>;
  style?: 'positive' | 'destructive';
  associatedInputs?: 'none';
}

/** A button that unfolds a small card under itself: golive's second step before acting. */
export interface ShowCard {
  type: 'Action.ShowCard';
  title: string;
  style?: 'positive' | 'destructive';
  card: { type: 'AdaptiveCard'; body: CardElement[]; actions: CardAction[] };
}

export type CardAction = Execute | ShowCard;

/** Teams' mention entity, listed in `msteams.entities` for each `<at>…</at>` in the card. */
export interface MentionEntity {
  type: 'mention';
  text: string;
  mentioned: { id: string; name: string };
}

export const SCHEMA_URL = 'http://adaptivecards.io/schemas/adaptive-card.json';

export interface AdaptiveCard {
  type: 'AdaptiveCard';
  $schema: typeof SCHEMA_URL;
  version: '1.5';
  refresh?: { action: { type: 'Action.Execute'; verb: string; data: Record<string, unknown> }; userIds: string[] };
  body: CardElement[];
  actions?: CardAction[];
  /** Teams' extension of the card (not part of the Adaptive Cards schema). */
  msteams?: { width: 'Full'; entities?: MentionEntity[] };
}
