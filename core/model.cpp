#include "core/model.h"

#include "core/text.h"

namespace misync::core {

const char* toString(Role r) {
    switch (r) {
        case Role::Learner:
            return "learner";
        case Role::Staff:
            return "staff";
        case Role::NonMis:
            return "non_mis";
        case Role::Governor:
            return "governor";
    }
    return "learner";
}

std::optional<Role> parseRole(std::string_view s) {
    const ShortName name(s);  // no allocation: called for every membership record (issue 8)
    const std::string_view n = name.view();
    if (n == "learner" || n == "pupil" || n == "student") {
        return Role::Learner;
    }
    if (n == "staff" || n == "teacher") {
        return Role::Staff;
    }
    if (n == "nonmis") {
        return Role::NonMis;
    }
    if (n == "governor") {
        return Role::Governor;
    }
    return std::nullopt;
}

std::optional<Enrolment> parseEnrolment(std::string_view s) {
    std::string n = lowerAscii(trim(s));
    if (n.empty() || n == "c" || n.starts_with("single") || n == "current") {
        return Enrolment::Single;
    }
    if (n == "m" || n.starts_with("main")) {
        return Enrolment::Main;
    }
    if (n == "s" || n.starts_with("subsidiary")) {
        return Enrolment::Subsidiary;
    }
    if (n == "g" || n.starts_with("guest")) {
        return Enrolment::Guest;
    }
    return std::nullopt;
}

const char* toString(GroupType t) {
    switch (t) {
        case GroupType::Registration:
            return "registration";
        case GroupType::Year:
            return "year";
        case GroupType::Class:
            return "class";
        case GroupType::House:
            return "house";
    }
    return "class";
}

std::optional<GroupType> parseGroupType(std::string_view s) {
    const ShortName name(s);  // no allocation: called for every membership record (issue 8)
    const std::string_view n = name.view();
    if (n == "registration" || n == "reg" || n == "registrationgroup" || n == "form" ||
        n == "homeroom") {
        return GroupType::Registration;
    }
    if (n == "year" || n == "yeargroup") {
        return GroupType::Year;
    }
    if (n == "class" || n == "teachinggroup" || n == "scheduled" || n == "teachingclass") {
        return GroupType::Class;
    }
    if (n == "house") {
        return GroupType::House;
    }
    return std::nullopt;
}

}  // namespace misync::core
