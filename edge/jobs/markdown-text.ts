import { type Token, type Tokens, lexer } from 'marked';

/**
 * The words of a Markdown document as plain text to speak: headings, paragraphs, list items,
 * quotes, table cells and code as text, each block a paragraph of its own (so the job splits
 * there); emphasis, links and images leave their text (an image its alt text). Parsed by marked's
 * lexer (CommonMark and GFM), not by hand-written patterns.
 */
export function markdownText(markdown: string): string {
  const blocks: string[] = [];
  collectBlocks(lexer(markdown), blocks);
  return blocks.filter((block) => block.trim().length > 0).join('\n\n');
}

function collectBlocks(tokens: Token[], blocks: string[]): void {
  for (const token of tokens) {
    switch (token.type) {
      case 'heading':
      case 'paragraph':
        blocks.push(inlineText((token as Tokens.Heading | Tokens.Paragraph).tokens));
        break;
      case 'blockquote':
        collectBlocks((token as Tokens.Blockquote).tokens, blocks);
        break;
      case 'list':
        for (const item of (token as Tokens.List).items) collectBlocks(item.tokens, blocks);
        break;
      case 'table': {
        const table = token as Tokens.Table;
        for (const row of [table.header, ...table.rows]) blocks.push(row.map((cell) => inlineText(cell.tokens)).join(', '));
        break;
      }
      case 'code':
        blocks.push((token as Tokens.Code).text);
        break;
      case 'text':
        blocks.push('tokens' in token && token.tokens ? inlineText(token.tokens) : (token as Tokens.Text).text);
        break;
      case 'html':
        blocks.push((token as Tokens.HTML).text.replace(/<[^>]*>/g, ' '));
        break;
      default:
        // space, hr, def: nothing to say
        break;
    }
  }
}

function inlineText(tokens: Token[] | undefined): string {
  if (!tokens) return '';
  return tokens
    .map((token) => {
      switch (token.type) {
        case 'image':
          return (token as Tokens.Image).text;
        case 'br':
          return '\n';
        case 'html':
          return '';
        case 'codespan':
          return (token as Tokens.Codespan).text;
        default:
          return 'tokens' in token && token.tokens ? inlineText(token.tokens) : 'text' in token ? String(token.text) : '';
      }
    })
    .join('');
}
