import { describe, expect, it } from "vitest";

import { buildRunRequest, RUN_FORM_DEFAULTS, type RunFormValues } from "./request";

const filled: RunFormValues = {
  ...RUN_FORM_DEFAULTS,
  name: "  sft vs base ",
  models: ["tiny:1", "tiny-sft:1"],
  baseline: "tiny:1",
  task: { dataset_id: 4, number: 2, split: "test", prompt_template: "Q: {question}", metrics: ["accuracy"], limit: 50,
          chinese: "char" },
  suite: { ...RUN_FORM_DEFAULTS.suite, judge_model: " ", benchmark_files: ["/srv/cmmlu.csv", "  "] },
};

describe("buildRunRequest", () => {
  it("sends the task, the suite and the generation settings the form holds", () => {
    expect(buildRunRequest(filled)).toEqual({
      name: "sft vs base",
      models: ["tiny:1", "tiny-sft:1"],
      baseline: "tiny:1",
      task: { dataset_id: 4, number: 2, split: "test", prompt_template: "Q: {question}", metrics: ["accuracy"],
              limit: 50, chinese: "char" },
      suite: { dimensions: ["reasoning", "reading", "chinese", "instruction", "creativity"], per_dimension: 10, seed: 0,
               judge_model: null, benchmark_files: ["/srv/cmmlu.csv"] },
      generation: { max_new_tokens: 128, temperature: 0, top_p: null },
    });
  });

  it("leaves empty choices to the server's defaults and omits a part that is switched off", () => {
    const body = buildRunRequest({ ...filled, name: "", baseline: undefined, withSuite: false,
                                   task: { dataset_id: 4, number: 2, split: "", metrics: [],
                                           chinese: "jieba" } });
    expect(body).toMatchObject({ name: null, baseline: null, suite: null,
                                 task: { split: null, prompt_template: null, metrics: null, limit: null } });
    expect(buildRunRequest({ ...filled, withTask: false }).task).toBeNull();
  });
});
