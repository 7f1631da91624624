import * as tools from '@cornerstonejs/tools';

/** The DOM event the wand fires on the viewport element: where the user clicked, and whether to erase. */
export const WAND_EVENT = 'annex-wand';

export interface WandClick {
  /** The click in patient (world) coordinates. */
  world: [number, number, number];
  /** Shift held: take the region out of the label instead of adding it. */
  erase: boolean;
}

type MouseDownEvent = {
  detail: {
    element: HTMLElement;
    event?: { shiftKey?: boolean };
    currentPoints: { world: [number, number, number] };
  };
};

/**
 * A click tool: it consumes the press (no window/level drag underneath) and hands the seed to
 * whoever listens on the element (the annotation session), which owns the labelmap.
 */
export class MagicWandTool extends tools.BaseTool {
  static override toolName = 'MagicWand';

  constructor(
    toolProps: ConstructorParameters<typeof tools.BaseTool>[0] = {},
    defaultToolProps: ConstructorParameters<typeof tools.BaseTool>[1] = {
      supportedInteractionTypes: ['Mouse', 'Touch'],
      configuration: {},
    },
  ) {
    super(toolProps, defaultToolProps);
  }

  preMouseDownCallback = (evt: MouseDownEvent): boolean => {
    const { element, event, currentPoints } = evt.detail;
    const detail: WandClick = { world: [...currentPoints.world], erase: Boolean(event?.shiftKey) };
    element.dispatchEvent(new CustomEvent<WandClick>(WAND_EVENT, { detail }));
    return true;
  };
}
