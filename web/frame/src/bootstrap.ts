/**
 * `/_frame/bootstrap.js` — the first script in every card frame (docs/api.md, "Bridge protocol").
 * Order matters: WebRTC goes away before anything else, and plugin code is only imported after
 * the host's `init` arrives on the port.
 */
import { neutraliseWebRTC, startFrame } from './frame.ts';
import { rasterise } from './snapshot.ts';

neutraliseWebRTC(window);
startFrame({ win: window, importEntry: (url) => import(/* @vite-ignore */ url), snapshot: (maxBytes) => rasterise(window, maxBytes) });
