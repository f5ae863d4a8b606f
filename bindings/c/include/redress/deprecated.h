/* redress/deprecated.h: names kept for compatibility, each saying what
 * replaces it.
 *
 * Included by redress.h. Define REDRESS_DEPRECATE_HARD before including
 * redress.h to leave these names out and find every use of them at compile
 * time, as libgit2's GIT_DEPRECATE_HARD does.
 *
 * Nothing is deprecated yet.
 */
#ifndef REDRESS_DEPRECATED_H
#define REDRESS_DEPRECATED_H

#if defined(__GNUC__)
#define REDRESS_DEPRECATED(replacement) __attribute__((deprecated("use " replacement)))
#else
#define REDRESS_DEPRECATED(replacement)
#endif

#endif /* REDRESS_DEPRECATED_H */
