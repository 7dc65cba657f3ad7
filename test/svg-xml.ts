/**
 * Reads an SVG document with a strict XML parser (sax, in the dependency tree through
 * gherkin-lint's xml-js): it throws on anything a browser's XML parser would refuse (an unescaped
 * `&` or `<`, a tag left open), and returns the root element's name and each <text>'s words.
 */
import { createRequire } from 'node:module';

interface SaxParser {
  onerror: (error: Error) => void;
  onopentag: (tag: { name: string }) => void;
  onclosetag: (name: string) => void;
  ontext: (text: string) => void;
  write(xml: string): SaxParser;
  close(): void;
}
const sax = createRequire(import.meta.url)('sax') as { parser(strict: boolean): SaxParser };

export function readSvg(svg: string): { root: string; texts: string[] } {
  const parser = sax.parser(true);
  let root = '';
  let depth = 0;
  const texts: string[] = [];
  let inText = 0;
  parser.onerror = (error) => {
    throw new Error(`not well-formed XML: ${error.message.split('\n').join(' ')}`);
  };
  parser.onopentag = (tag) => {
    if (depth++ === 0) root = tag.name;
    if (tag.name === 'text') {
      if (inText++ === 0) texts.push('');
    }
  };
  parser.onclosetag = (name) => {
    depth--;
    if (name === 'text') inText--;
  };
  parser.ontext = (text) => {
    if (inText) texts[texts.length - 1] += text;
  };
  parser.write(svg).close();
  if (depth !== 0) throw new Error('not well-formed XML: an element is left open');
  return { root, texts };
}
