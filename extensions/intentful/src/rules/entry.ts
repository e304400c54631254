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
import { toVisitorState, type Env, type LiveState, type PageInfo, type Stored } from "../tracker/state";

export interface RulesApi {
  /** The shared rules' decision for one signal, from the tracker's stored state. */
  decide(config: CompiledConfig, s: Stored, page: PageInfo, live: LiveState, env: Env, sig: Signal, now: number): Decision | null;
  /** One set of exit detectors for every exit-intent trigger: the widest zone, any rule's options. */
  watch(config: CompiledConfig, mobile: boolean, fire: (s: Signal) => boolean): void;
}

const api: RulesApi = {
  decide: (config, s, page, live, env, sig, now) => evaluate(config, toVisitorState(s, page, live, env, now), sig, now),
  watch(config, mobile, fire) {
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
