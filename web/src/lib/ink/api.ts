import { get, request, send } from '../api/client';
import type {
  InkDto,
  SelectionContentDto,
  ShareSelectionDto,
  SharedSelectionDto,
  StrokeInputDto,
  StrokesAddedDto,
  StrokesErasedDto,
  StrokesRestoredDto,
} from './types';

const enc = encodeURIComponent;
const strokes = (b: string) => `/api/boards/${enc(b)}/strokes`;
const selection = (b: string, w: string) => `/api/cards/${enc(b)}/${enc(w)}/selection`;

/** The calls of docs/api.md "Ink" and "Shared selections". */
export const inkApi = {
  load: (b: string) => get<InkDto>(strokes(b)),
  add: (b: string, list: StrokeInputDto[]) => send<StrokesAddedDto>('POST', strokes(b), { strokes: list }),
  erase: (b: string, ids: string[]) => send<StrokesErasedDto>('DELETE', strokes(b), { ids }),
  restore: (b: string, erasure: string, ids: string[]) => send<StrokesRestoredDto>('POST', `${strokes(b)}/restore`, { erasure, ids }),
  share: (b: string, w: string, body: ShareSelectionDto) => send<SharedSelectionDto>('PUT', selection(b, w), body),
  /** The card's stored selection, or null when it holds none. */
  selection: async (b: string, w: string): Promise<SelectionContentDto | null> => {
    try {
      return (await request<SelectionContentDto>(selection(b, w))).data;
    } catch (e) {
      if ((e as { status?: number }).status === 404) return null;
      throw e;
    }
  },
  revokeSelection: (b: string, w: string) => send<void>('DELETE', selection(b, w)),
};
