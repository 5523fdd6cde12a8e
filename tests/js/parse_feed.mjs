// Parse an RSS feed with podcast-partytime (the Podcast Index's parser) and print
// what it found as JSON on stdout. Usage: node parse_feed.mjs FEED.xml
// tests/test_feed_partytime.py runs it against our feed.
import { readFileSync } from "node:fs";
import partytime from "podcast-partytime";

const [, , path] = process.argv;
if (!path) {
  console.error("usage: node parse_feed.mjs FEED.xml");
  process.exit(2);
}
const feed = partytime.parseFeed(readFileSync(path, "utf8"), { allowMissingGuid: false });
if (feed === null) {
  console.error(`${path}: podcast-partytime could not parse the feed`);
  process.exit(1);
}
// Sets (pc20support's phases) and Dates become plain JSON.
const replacer = (key, value) => (value instanceof Set ? [...value] : value);
process.stdout.write(JSON.stringify(feed, replacer, 1));
