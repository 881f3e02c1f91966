/*
 * serve.h — `passim serve`: the web page and its JSON API
 * (passim-serve(1)).
 */
#ifndef PASSIM_QUERY_SERVE_H
#define PASSIM_QUERY_SERVE_H

/* Run `passim serve ARGS` (argv[0] is "serve"); the exit status. */
int px_serve_main(int argc, char **argv);

#endif
