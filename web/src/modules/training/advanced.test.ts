import { describe, expect, it } from "vitest";

import { advancedRequest, defaultAdvanced, newReward, placeProblems, rewardBody, type AdvancedSettings } from "./advanced";
import { REWARD_KINDS } from "./types";

const settings: AdvancedSettings = {
  checkpointEvery: 6, merge: true, autoStop: true, evalSplit: "validation", earlyStoppingPatience: 3,
  rewards: [{ ...newReward("regex"), pattern: "^\\d+$", full: true, weight: 2 }, newReward("similarity")],
};

describe("defaultAdvanced", () => {
  it("takes the server's defaults, and gives GRPO the one reward it cannot run without", () => {
    expect(defaultAdvanced("sft")).toEqual({ checkpointEvery: 50, merge: false, autoStop: false, evalSplit: null,
                                             earlyStoppingPatience: null, rewards: [] });
    expect(defaultAdvanced("grpo").rewards.map((reward) => reward.reward)).toEqual(["exact_match"]);
  });
});

describe("advancedRequest", () => {
  it("sends every setting of a LoRA SFT run, and no rewards", () => {
    expect(advancedRequest(settings, "sft", "lora", true)).toEqual({
      checkpoint_every: 6, merge: true, auto_stop: true, eval_split: "validation", early_stopping_patience: 3,
      rewards: [],
    });
  });

  it("never asks to merge a full fine-tune (it has no adapter) or a reward model (its head is not in the base)", () => {
    expect(advancedRequest(settings, "sft", "full", true).merge).toBe(false);
    expect(advancedRequest(settings, "reward", "lora", true).merge).toBe(false);
    expect(advancedRequest(settings, "dpo", "qlora", true).merge).toBe(true);
  });

  it("sends GRPO's rewards on launch but not to the advisor, and no evaluation (GRPO has no eval loss)", () => {
    const launch = advancedRequest(settings, "grpo", "lora", true);
    expect(launch.rewards).toEqual([{ reward: "regex", weight: 2, pattern: "^\\d+$", full: true },
                                    { reward: "similarity", weight: 1 }]);
    expect([launch.eval_split, launch.early_stopping_patience]).toEqual([null, null]);
    expect(advancedRequest(settings, "grpo", "lora", false).rewards).toEqual([]);
  });
});

describe("rewardBody", () => {
  it("sends each kind's own fields only", () => {
    const bodies = REWARD_KINDS.map((kind) => rewardBody(newReward(kind)));
    expect(bodies.map((body) => Object.keys(body).sort())).toEqual([
      ["reward", "weight"],
      ["full", "pattern", "reward", "weight"],
      ["max_chars", "min_chars", "reward", "weight"],
      ["reward", "weight"],
      ["code", "reward", "timeout_seconds", "weight"],
    ]);
    expect(bodies[4]).toMatchObject({ code: expect.stringContaining("def reward(completion, reference, prompt):") });
  });

  it("keeps what was typed for one kind while another is chosen and back", () => {
    const regex = { ...newReward("regex"), pattern: "<answer>.*</answer>" };
    const python = { ...regex, reward: "python" as const, code: "def reward(c, r, p):\n    return 1\n" };
    expect(rewardBody(python)).toEqual({ reward: "python", weight: 1, code: python.code, timeout_seconds: 1 });
    expect(rewardBody({ ...python, reward: "regex" })).toEqual({
      reward: "regex", weight: 1, pattern: "<answer>.*</answer>", full: false,
    });
  });
});

describe("placeProblems", () => {
  // The details as the server sends them: pydantic's (with the union's tag in the path) and the trial run's.
  const details = [
    { field: "body.rewards.1.python.code", message: "Value error, line 2: syntax error: '(' was never closed" },
    { field: "body.rewards.0.code", message: "line 3: reward() raised ZeroDivisionError: division by zero", line: 3 },
    { field: "body.rewards.2.regex.pattern", message: "Value error, not a valid regular expression: missing )" },
    { field: "body.rewards.3.length", message: "Value error, max_chars (1) is below min_chars (5)" },
    { field: "body.rewards.3.length.max_chars", message: "Input should be greater than or equal to 1" },
    { field: "body.merge", message: "the base is not a registered version" },
    { field: "body.early_stopping_patience", message: "early stopping watches the eval loss" },
    { field: "body.rewards", message: "add one or more of: exact_match, regex" },
    { field: "body.learning_rate", message: "the learning rate must be positive" },
    { field: null, message: "something general" },
  ];

  it("puts each refusal on the reward field, the reward, or the advanced field it names", () => {
    const placed = placeProblems(details, 4);
    expect(placed.byReward).toEqual({
      0: { code: ["line 3: reward() raised ZeroDivisionError: division by zero"] },
      1: { code: ["line 2: syntax error: '(' was never closed"] },
      2: { pattern: ["not a valid regular expression: missing )"] },
      3: { "": ["max_chars (1) is below min_chars (5)"], max_chars: ["Input should be greater than or equal to 1"] },
    });
    expect(placed.byField).toEqual({
      merge: ["the base is not a registered version"],
      early_stopping_patience: ["early stopping watches the eval loss"],
      rewards: ["add one or more of: exact_match, regex"],
    });
    expect(placed.general).toEqual(["learning_rate: the learning rate must be positive", "something general"]);
  });

  it("keeps a line number the message does not already give", () => {
    const placed = placeProblems([{ field: "body.rewards.0.code", message: "reward() timed out", line: 4 }], 1);
    expect(placed.byReward[0]?.code).toEqual(["reward() timed out (line 4)"]);
  });

  it("puts a problem with a reward that is no longer in the list on the list", () => {
    const placed = placeProblems([{ field: "body.rewards.5.code", message: "syntax error" }], 2);
    expect(placed.byField.rewards).toEqual(["5.code: syntax error"]);
  });
});
