/**
 * The rules bundle (intentful-rules.js): the shared rule evaluation (`evaluate`, the code the
 * server's preview runs) and the exit-intent detectors. The page-load tracker loads it when the
 * shopper first acts on the page, when a signal arrives that a trigger listens to, or when a
 * time-based trigger's earliest moment comes (`passiveFrom`); a page nobody touches never
 * downloads it.
 */
import { evaluate } from "~/domain/triggers/evaluate";
import { EXIT_DEFAULTS, type CompiledConfig, type Decision, type Signal } from "~/domain/triggers/types";
import { watchExit } from "../tracker/exit";
import { deviceClass, toVisitorState, type Env, type LiveState, type PageInfo, type Stored } from "../tracker/state";

export interface RulesApi {
  /** The shared rules' decision for one signal, from the tracker's stored state (the device class is the bundle's own). */
  decide(config: CompiledConfig, s: Stored, page: PageInfo, live: LiveState, env: Omit<Env, "device">, sig: Signal, now: number): Decision | null;
  /** One set of exit detectors for every exit-intent trigger: the widest zone, any rule's options. */
  watch(config: CompiledConfig, fire: (s: Signal) => boolean): void;
}

// The device class, read when the rules load (the first time they are needed): the user agent, a
// media query and the screen each cost a first touch of a browser API, which the page-load tracker
// leaves to this bundle (it reads them only where the merchant switched mobile off, `notDesktop`).
const device = deviceClass(navigator.userAgent, matchMedia("(pointer:coarse)").matches, Math.min(screen.width, screen.height));
const mobile = device != "desktop";

const api: RulesApi = {
  decide: (config, s, page, live, env, sig, now) => evaluate(config, toVisitorState(s, page, live, { ...env, device }, now), sig, now),
  watch(config, fire) {
    const exits = config.t.filter((t) => t.ty === "exit_intent").map((t) => t.c.exit || {});
    if (exits.length)
      watchExit(
        {
          zone: Math.max(...exits.map((x) => x.topZonePx ?? EXIT_DEFAULTS.topZonePx)),
          mobile,
          scrollUp: exits.some((x) => x.scrollUp !== false),
          backTrap: exits.some((x) => x.backTrap),
        },
        fire,
      );
  },
};

(window as { IntentfulRules?: RulesApi }).IntentfulRules = api;
