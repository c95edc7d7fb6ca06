import { describe, expect, it } from "vitest";

import {
  filterQuery, filtersFromSearch, promptText, recordSources, recordsQuery, scoreNames, searchWithFilters,
} from "./records";

describe("record filters in the URL", () => {
  it("round-trip through the page's URL and keep its other parameters", () => {
    const search = searchWithFilters(new URLSearchParams("tab=records"), {
      model: "tiny-sft:1", source: "suite", dimension: "reasoning", q: "crate", score: "accuracy", maxScore: 0.5,
    });
    expect(search.get("tab")).toBe("records");
    expect(filtersFromSearch(search)).toEqual({
      model: "tiny-sft:1", source: "suite", dimension: "reasoning", q: "crate", score: "accuracy", maxScore: 0.5,
    });
  });

  it("drops cleared filters and ignores a threshold that is not a number", () => {
    const search = searchWithFilters(new URLSearchParams("r_model=a&r_q=x"), { model: "a", q: "" });
    expect(search.toString()).toBe("r_model=a");
    expect(filtersFromSearch(new URLSearchParams("r_max=abc&r_score=f1")))
      .toEqual({ model: undefined, source: undefined, dimension: undefined, q: undefined, score: "f1",
                 maxScore: undefined });
  });
});

describe("recordsQuery", () => {
  it("asks for one page with every filter the user set", () => {
    expect(recordsQuery({ model: "m:1", q: "crate", score: "rouge_l", maxScore: 0 }, 3, 20)).toEqual({
      offset: 40, limit: 20, model: "m:1", q: "crate", score: "rouge_l", max_score: 0,
    });
  });

  it("gives the export the same filters without paging", () => {
    expect(filterQuery({ model: "m:1", dimension: "reasoning", q: "" })).toEqual({ model: "m:1", dimension: "reasoning" });
  });

  it("sends a threshold only with the score it applies to", () => {
    expect(recordsQuery({ maxScore: 0.5 }, 1, 10)).toEqual({ offset: 0, limit: 10 });
    expect(recordsQuery({ score: "f1" }, 1, 10)).toEqual({ offset: 0, limit: 10 });
  });
});

describe("filter choices", () => {
  it("lists the run's sources: the task, the suite and each benchmark file by its stem", () => {
    expect(recordSources({ config: { task: { dataset_id: 1 },
                                     suite: { benchmark_files: ["/srv/bench/cmmlu_law.csv", "C:\\b\\mmlu.csv"] } } }))
      .toEqual(["task", "suite", "benchmark:cmmlu_law", "benchmark:mmlu"]);
    expect(recordSources({ config: { task: null, suite: { dimensions: ["reasoning"] } } })).toEqual(["suite"]);
  });

  it("offers the score names seen on the records and the one already chosen", () => {
    expect(scoreNames([{ scores: { rouge_l: 0.1, bleu_4: 0 } }, { scores: { score: 1 } }], "f1"))
      .toEqual(["bleu_4", "f1", "rouge_l", "score"]);
  });

  it("shows a prompt as its turns, labelling all but the user's", () => {
    expect(promptText([{ role: "system", content: "Be brief." }, { role: "user", content: "2+2?" }]))
      .toBe("[system] Be brief.\n\n2+2?");
  });
});
