// redress/version.hpp: the library's version, its one source of truth.
//
// REDRESS_VERSION is major * 10000 + minor * 100 + patch, as fmt's FMT_VERSION.
// CMake reads this line to set the package version, so change it only here.
#ifndef REDRESS_VERSION_HPP
#define REDRESS_VERSION_HPP

#define REDRESS_VERSION 100

#define REDRESS_VERSION_MAJOR (REDRESS_VERSION / 10000)
#define REDRESS_VERSION_MINOR (REDRESS_VERSION / 100 % 100)
#define REDRESS_VERSION_PATCH (REDRESS_VERSION % 100)

namespace redress {
inline namespace v1 {

// version_string()
//
// The version as "major.minor.patch", e.g. "0.1.0".
const char* version_string() noexcept;

}  // namespace v1
}  // namespace redress

#endif  // REDRESS_VERSION_HPP
