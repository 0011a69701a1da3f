import Sentiment from "sentiment";

const analyzer = new Sentiment();

/** How many of the customer's latest messages the sentiment looks at. */
export const SENTIMENT_WINDOW = 5;

/** Rolling sentiment of a conversation's customer messages, kept in its attributes. */
export interface SentimentState {
  /** AFINN comparative scores (score per word) of the latest customer messages, newest last. */
  recent: number[];
  /** Words with a sentiment value found in those messages. */
  matched: number[];
}

export interface SentimentView {
  overall: "positive" | "neutral" | "negative";
  /** 0 (very negative) … 50 (neutral) … 100 (very positive). */
  score: number;
  /** 0…1: how much sentiment-bearing text the score rests on. */
  confidence: number;
}

/** Adds one customer message (AFINN lexicon of the `sentiment` package) to the rolling window. */
export function addToSentiment(state: SentimentState | undefined, text: string): SentimentState {
  const result = analyzer.analyze(text);
  const recent = [...(state?.recent ?? []), Math.round(result.comparative * 1000) / 1000].slice(-SENTIMENT_WINDOW);
  const matched = [...(state?.matched ?? []), result.words.length].slice(-SENTIMENT_WINDOW);
  return { recent, matched };
}

/**
 * The conversation's sentiment: the mean comparative score mapped from [-2, 2] onto 0–100 (AFINN words weigh −5…5,
 * so ±2 per word is already strong); confidence grows with the sentiment-bearing words seen, full at 5.
 */
export function toSentimentView(state: SentimentState | undefined): SentimentView {
  if (!state || state.recent.length === 0) return { overall: "neutral", score: 50, confidence: 0 };
  const mean = state.recent.reduce((sum, value) => sum + value, 0) / state.recent.length;
  const score = Math.round((Math.max(-2, Math.min(2, mean)) + 2) * 25);
  const words = state.matched.reduce((sum, value) => sum + value, 0);
  const overall = score >= 60 ? "positive" : score <= 40 ? "negative" : "neutral";
  return { overall, score, confidence: Math.min(1, Math.round((words / 5) * 100) / 100) };
}
