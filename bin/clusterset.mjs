#!/usr/bin/env node
// Entry point for the installed binary: the sources are TypeScript run by Node 24's type stripping.
import '../src/cli/main.ts';
