/* gan/api.h - GAN_API marks what libgan exports: the functions (and the
 * one table) that the headers of include/gan declare.  libgan is built
 * with -fvisibility=hidden, so everything else in it stays internal. */
#ifndef GAN_API_H
#define GAN_API_H

#if defined(__GNUC__) || defined(__clang__)
#define GAN_API __attribute__((visibility("default")))
#else
#define GAN_API
#endif

#endif
