#!/usr/bin/env node
// Floods its log for the log limit's tests: FLOOD_LINES numbered lines at once, then a result line.
const count = Number(process.env.FLOOD_LINES || 5000);
let out = '';
for (let i = 1; i <= count; i++) out += `flood ${i}\n`;
out += `AGENTS_RESULT ${JSON.stringify({ status: 'succeeded', summary: 'flooded' })}\n`;
process.stdout.write(out);
