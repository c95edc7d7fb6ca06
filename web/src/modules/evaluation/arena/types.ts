/** Readable names for the arena's schema types. */
import type { components } from "../../../api/schema";

type Schemas = components["schemas"];

export type Battle = Schemas["BattleOut"];
export type BattleCreate = Schemas["BattleCreate"];
export type PromptSet = Schemas["PromptSetOut"];
export type PromptSetCreate = Schemas["PromptSetCreate"];
export type Leaderboard = Schemas["Leaderboard"];
export type LeaderboardRow = Schemas["LeaderboardRow"];
export type VoteOutcome = Schemas["VoteOutcome"];
