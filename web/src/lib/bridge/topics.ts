// The topic grammar and matcher live in the SDK so the host page, the frame bootstrap and the
// mock host share one implementation (tested against tests/vectors/topics.json).
export { isTopic, isTopicPattern, MAX_TOPIC_LENGTH, patternCovers, topicMatches } from '../../../../sdk/src/topics.ts';
