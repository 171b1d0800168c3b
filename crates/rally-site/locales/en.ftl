# Rally's public campaign site and the e-mails it sends to event organizers. English is the reference;
# every other locale has the same message ids and variables (a test checks).

## Navigation and layout
nav-home = Home
nav-register = Register an event
nav-map = Map
nav-events = Events
nav-partners = Partners
nav-stats = Statistics
language-switch = Language
skip-to-content = Skip to content
powered-by = Campaign site made with Rally

## Home
home-goal = Our goal: { $goal } students
counter-students = { $students ->
    [one] { $students } student
   *[other] { $students } students
}
counter-events = { $events ->
    [one] { $events } event
   *[other] { $events } events
}
counter-countries = { $countries ->
    [one] { $countries } country
   *[other] { $countries } countries
}
counter-progress = { $percent }% of the goal
counter-label = Students taking part so far
home-cta = Register your event
home-cta-lead = Schools, teachers, clubs and libraries anywhere can take part: run one hour of computer science with your students and register it here.
home-dates = Campaign week: { $from } to { $to }
home-umbrella = Part of { $umbrella }
home-members = Campaigns taking part

## Registration form
register-title = Register an event
register-lead = Tell us about your event. We will send you an e-mail to confirm it; it counts once you have confirmed it and a moderator has approved it.
field-organizer-name = Your name
field-organizer-email = Your e-mail address
field-organization = School or organization
field-event-type = Type of event
event-type-in_school = In school
event-type-after_school = After school
event-type-online = Online
event-type-other = Other
field-title = Name of the event
field-country = Country
field-country-choose = Choose a country
field-city = City or town
field-city-help = We place your event on the map at this town. If we cannot find it, give the coordinates below or the event is shown at the centre of the country.
field-latitude = Latitude
field-longitude = Longitude
field-coordinates-help = Optional: the exact place, in decimal degrees (for example 45.815 and 15.982).
field-url = Link to the online event
field-starts-on = First day
field-ends-on = Last day (if more than one day)
field-students = Expected number of students
field-ages = Ages or grades
field-language = Language of the event
field-description = Short description
field-description-help = Up to 2,000 characters. Plain text only.
field-listing = Listing
listing-public = Show my event in the public list and on the map
listing-private = Count my event, but do not list it publicly
field-consent = I have read the privacy notice and agree that my registration is stored to run the campaign.
field-news = Send me news about the campaign (at most a few e-mails, you can unsubscribe at any time).
field-website = Leave this field empty
privacy-notice-title = Privacy notice
privacy-notice = We store your name, e-mail address and the event's details to count and show the event and to write to you about it. Only the place, the organization, the date and the number of students are shown publicly, and only for public events. Ask us to delete your registration at any time from the link in your e-mail.
register-submit = Register the event
form-has-errors = Please correct the fields marked below.

## Form errors
error-required = This field is required.
error-too-long = This is too long (at most { $max } characters).
error-email = This is not an e-mail address.
error-date = This is not a date (use the calendar or YYYY-MM-DD).
error-date-order = The last day cannot be before the first day.
error-date-range = The date must be between { $from } and { $to }.
error-students = Give a whole number of students from 1 to { $max }.
error-students-actual = Give a whole number of students from 0 to { $max }.
error-country = Choose a country from the list.
error-latitude = A latitude is a number from -90 to 90.
error-longitude = A longitude is a number from -180 to 180.
error-coordinates-pair = Give both the latitude and the longitude, or neither.
error-url = Give a link that starts with https:// or http://.
error-online-url = An online event needs a link.
error-place = An event in a place needs a city or coordinates.
error-consent = We can only register the event with your agreement to the privacy notice.
error-language = Choose a language from the list.
error-event-type = Choose a type of event from the list.
error-too-many = Too many registrations from your network in a short time. Please try again in a few minutes.
error-body-too-large = The form is too large.
error-cancelled = This event was cancelled.

## After registering
registered-title = Check your e-mail
registered-body = We have sent a link to { $email }. Open it to confirm your event; until then it does not count.
registered-updated = You had already registered this event, so we updated it instead of adding it twice.
confirmed-title = Thank you, your event is confirmed
confirmed-pending = A moderator will look at it soon; it is counted and shown once approved.
confirmed-approved = It is counted and shown on the map.

## The organizer's page
manage-title = Your event
manage-lead = Only you have this link. Keep it to change or cancel your event and to report how many students took part.
manage-status = Status
status-unconfirmed = Waiting for your confirmation
status-pending = Waiting for approval
status-approved = Approved
status-rejected = Not approved
status-cancelled = Cancelled
manage-rejected-reason = Reason: { $reason }
manage-edit = Change the event
manage-save = Save changes
manage-saved = Your changes are saved.
manage-saved-pending = Your changes are saved; a moderator will look at them again.
manage-cancel = Cancel the event
manage-cancel-confirm = Yes, cancel this event
manage-cancelled = Your event is cancelled.
report-title = After the event
report-lead = How many students took part? The counter uses this number instead of the expected one.
report-field = Students who took part
report-submit = Report
report-saved = Thank you! { $students ->
    [one] { $students } student is counted.
   *[other] { $students } students are counted.
}
report-not-yet = You can report after the first day of the event ({ $date }).
certificate-title = Certificate of participation
certificate-lead = Download a certificate with your name, or with the name of a student or teacher.
certificate-name = Name on the certificate
certificate-download = Download the certificate (PDF)
certificate-needs-report = Report the number of students first; then you can download certificates.

## Events list
events-title = Events
events-search = Search
events-filter-country = Country
events-filter-city = City
events-filter-type = Type
events-filter-language = Language
events-filter-from = From
events-filter-to = To
events-filter-any = Any
events-filter-submit = Show events
events-none = No events match.
events-count = { $count ->
    [one] { $count } event
   *[other] { $count } events
}
events-online = Online
events-students = { $students ->
    [one] { $students } student
   *[other] { $students } students
}
events-next = Next page
events-previous = Previous page

## Map
map-title = Map of events
map-world = World
map-zoom = Show one country
map-legend = Darker countries have more students taking part.
map-country-summary = { $country }: { $events ->
    [one] { $events } event
   *[other] { $events } events
}, { $students ->
    [one] { $students } student
   *[other] { $students } students
}
map-tiles = Street map

## Partners
partners-title = Our partners
partners-lead = These organizations help bring computer science to every student.
partners-none = Partners will be shown here soon.
partners-other = Partners

## Statistics
stats-title = Statistics
stats-by-country = By country
stats-by-type = By type of event
stats-over-time = Registrations by week
stats-week-of = Week of { $date }
stats-country = Country
stats-events = Events
stats-students = Students
stats-type = Type
stats-registrations = Registrations
stats-data = The figures as data

## Embeds
embed-counter = { $students } students have taken part
embed-register = Take part

## The partner's link page
link-lead = Thank you for partnering with us. This page is only for you: please do not share its address.
link-contact-title = Your contact at the campaign
link-contact-lead = Questions, or something to change? Write to:
link-contact-none = Questions? Reply to the e-mail that brought you this link.
link-asks-title = What we ask
link-asks-none = Nothing yet.
link-status-proposed = Proposed
link-status-agreed = Agreed
link-status-fulfilled = Done
link-status-missed = Missed
link-status-declined = Declined
link-due = due { $date }
link-quantity = How many { $unit }?
link-note = Note (optional)
link-confirm = Confirm
link-decline = Decline
link-confirmed = Thank you: “{ $ask }” is confirmed. The campaign team sees it now.
link-declined = Thank you: “{ $ask }” is declined. The campaign team sees it now.
link-material-title = Material for you
link-material-none = Nothing sent yet.
link-asset-logo = logo
link-asset-banner = banner
link-asset-poster = poster
link-asset-press_kit = press kit
link-asset-tutorial = tutorial
link-asset-other = other
link-logo-title = Your logo on the campaign site
link-logo-alt = Logo of { $partner }
link-logo-upload = Upload your logo (PNG, JPEG, WebP or SVG, up to 20 MB)
link-logo-replace = Replace your logo (PNG, JPEG, WebP or SVG, up to 20 MB)
link-logo-submit = Upload
link-logo-uploaded = Thank you: your logo is uploaded.
link-listed = Partners are thanked by name and logo on the campaign site once their part is done.
link-opted-out = You asked not to be listed among the campaign's partners.
link-list-us = List us among the partners
link-do-not-list = Do not list us
link-error-number = Give a whole number.
link-error-quantity = Give a number from 0 to { $max }.
link-error-quantity-missing = Say how many { $unit } you commit to.
link-error-answered = This ask has already been answered.
link-error-logo = We cannot use this file as your logo. Choose a PNG, JPEG, WebP or SVG picture of at most 20 MB.
link-error-logo-missing = Choose a file first.
link-contacts-title = Your contacts and campaign e-mail
link-contacts-lead = Choose for each of your contacts whether they receive the campaign's news by e-mail.
link-contacts-none = We have no contacts of yours yet.
link-consent-yes = Yes, send campaign news
link-consent-no = No campaign news
link-consent-unknown = Not chosen yet.
link-consent-save = Save
link-consent-saved = Thank you: the campaign e-mail choice for { $name } is saved.
link-error-consent = Choose one of the two answers first.

## E-mails to organizers
mail-confirm-subject = Please confirm your event: { $title }
mail-confirm-body =
    Hello { $name },

    thank you for registering "{ $title }" for { $campaign }.

    Please confirm your event by opening this link:
    { $confirm_url }

    Keep this e-mail: the same link lets you change or cancel the event, report how many students took part, and download certificates.

    If you did not register this event, ignore this e-mail and nothing will be counted.
mail-approved-subject = Your event is approved: { $title }
mail-approved-body =
    Hello { $name },

    your event "{ $title }" is approved and counts towards { $campaign }. Thank you for taking part!

    After the event, report how many students took part and download certificates here:
    { $manage_url }
mail-rejected-subject = Your event was not approved: { $title }
mail-rejected-body =
    Hello { $name },

    we could not approve your event "{ $title }" for { $campaign }.

    Reason: { $reason }

    You can change the event and it will be looked at again:
    { $manage_url }
mail-footer = You receive this e-mail because this address registered an event for { $campaign }.

## Additions: statistics, the map, the organizer's page, certificates
stats-week-of-label = Week
embed-title = Show the counter or the partners on your site
map-countries = Countries taking part
partners-main = Main partners
manage-confirm = Confirm my event
manage-confirm-lead = Please confirm that you registered this event. Until then it does not count.
manage-location-country = We could not find the town, so the event is shown at the centre of the country. Give the coordinates below to place it exactly.
certificate-default-body = for taking part in { $event } ({ $organization }), part of { $campaign }, on { $date }, together with { $students ->
    [one] { $students } student
   *[other] { $students } students
}.
certificate-unsupported = The certificate cannot show these characters: { $characters }. Please write the name in another script.
attribution = Places: GeoNames (CC BY 4.0). Map: Natural Earth.
attribution-licence = Licence of the place data
legend-organizer = About you
legend-event = The event
legend-place = Where
manage-delete = Delete my registration
manage-delete-lead = This deletes the event with your name and e-mail address for good; it no longer counts, and this link stops working.
manage-delete-confirm = Yes, delete my registration
manage-deleted = Your registration is deleted. Thank you for your interest in the campaign.
manage-data = My data
manage-data-lead = Download everything this campaign holds about you (your events, the e-mails it sent you, your consent records) as a JSON file, or erase it. Erasing keeps your events in the campaign's count, without your name, school, e-mail address or description, and stops all e-mail to you.
manage-data-download = Download my data
manage-erase = Erase my data
manage-erase-confirm = Yes, erase my data from this campaign; this cannot be undone
manage-erased = Your data is erased from the campaign. Your events still count, without your name or school, and you will get no more e-mail from it.
mail-report-subject = How many students took part in { $title }?
mail-report-body =
    Hello { $name },

    thank you for running "{ $title }" for { $campaign }!

    Please tell us how many students took part: the campaign's counter uses your number instead of the expected one. On the same page you can download certificates for your students:
    { $manage_url }
manage-map = Your event on the map. If the point is in the wrong place, give the coordinates under "Change the event".

## Error pages of the public site
error-page-not-found-title = Not found
error-page-not-found = There is nothing here. The link may be old or mistyped.
error-page-forbidden-title = Not allowed
error-page-forbidden = This cannot be changed from here.
error-page-expired-title = Form expired
error-page-expired = This form has expired. Go back, reload the page and try again.
error-page-too-large-title = Too large
error-page-too-large = That was more than we accept at once.
error-page-bad-request-title = Cannot do that
error-page-bad-request = That cannot be done. Go back and check what you sent.
error-page-too-many-title = Too many attempts
error-page-too-many = Too many attempts in a short time. Please wait a few minutes and try again.
error-page-unavailable-title = Busy
error-page-unavailable = We cannot answer right now. Please try again in a moment.
error-page-storage-full-title = Cannot save right now
error-page-storage-full = We cannot save anything right now because our storage is full. Nothing was changed. Please try again in a few minutes.
error-page-internal-title = Something went wrong
error-page-internal = Something went wrong on our side. It has been noted; please try again later.
error-page-back = Back to the campaign
error-storage-full = We cannot save registrations right now because our storage is full. Nothing was saved; your answers are still in the form. Please try again in a few minutes.
error-unavailable = We cannot save registrations right now. Nothing was saved; your answers are still in the form. Please try again in a moment.

# Shown to the team on a site that is not published yet.
site-draft = Draft: only your team sees this site. An owner publishes it from the campaign's dashboard.

# The campaign's privacy notice page and agreeing again to a new version.
privacy-version = Version { $version }, published on { $date }
privacy-builtin = The campaign has not published its own privacy notice. This is what you agree to when you register an event:
privacy-read = Read the whole privacy notice
reconsent-title = We updated our privacy notice
reconsent-lead = You agreed to an earlier version. Please read the new one: we send you campaign news again once you agree to it. Messages about your own event reach you either way.
reconsent-agree = I agree to the new privacy notice
reconsent-done = Thank you: your agreement to the new privacy notice is recorded.

## Activity review (the team's decision on a proposed activity, e-mailed to whoever proposed it)
activity-rejected-subject = Your activity was not listed: { $title }
activity-rejected-body =
    Hello { $name },

    thank you for proposing "{ $title }" for the { $campaign } activity catalogue. We reviewed it and could not list it.

    Reason: { $reason }

    If you can change what the reason names, you are welcome to propose it again.
activity-mail-footer = You receive this e-mail because this address proposed an activity for { $campaign }.

## Activity catalogue: the public list, an activity's page, suggesting an activity (site and partner link).
nav-activities = Activities
activities-title = Activities
activities-lead = What to do in the hour: activities for every age, many in your language, some without any computers.
activities-submit-link = Suggest an activity
activities-filters = Filters
activities-search = Search
activities-filter-submit = Show activities
activities-chosen = Your choices
activities-remove = Remove “{ $value }”
activities-clear = Clear all filters
activities-count = { $count ->
    [one] { $count } activity
   *[other] { $count } activities
}
activities-none = No activities match. Remove a filter to see more.
activities-in-your-language = In your language
activities-other-languages = Also available in other languages
activities-pages = Pages
activity-minutes = { $minutes ->
    [one] { $minutes } minute
   *[other] { $minutes } minutes
}
activity-follow-on = with follow-on lessons
activity-by = By { $provider }
activity-open = Open the activity
activity-download = Download the material
activity-host = Host an event with this activity
activity-usage = { $events ->
    [one] { $events } event
   *[other] { $events } events
} with { $students ->
    [one] { $students } student
   *[other] { $students } students
} chose this activity so far.
activity-back = All activities
activity-facts = About this activity
activity-provider = Made by
activity-duration = Length
activity-languages = Available in
activity-print = To print per student
facet-age = Age
facet-grade = School grade
facet-student_experience = Students' experience
facet-teacher_experience = Teacher's experience
facet-format = Format
facet-length = Length
facet-language = Language
facet-programming = Programming
facet-equipment = Equipment
facet-accessibility = Accessibility
facet-subject = Subject
facet-age-4-6 = 4–6 years
facet-age-7-10 = 7–10 years
facet-age-11-13 = 11–13 years
facet-age-14-18 = 14–18 years
facet-age-adults = Adults
facet-grade-pre = Pre-school
facet-grade-k = Kindergarten
facet-grade-n = Grade { $grade }
facet-student_experience-beginner = Beginners
facet-student_experience-comfortable = Some experience
facet-teacher_experience-none = None needed
facet-teacher_experience-some = Some needed
facet-format-tutorial = Self-led tutorial
facet-format-lesson_plan = Lesson plan
facet-format-unplugged = Unplugged activity
facet-format-robotics = Robotics and hardware
facet-length-up_to_30 = Up to 30 minutes
facet-length-up_to_60 = 30 to 60 minutes
facet-length-over_60 = Over an hour
facet-length-follow_on = Has follow-on lessons
facet-programming-blocks = Blocks
facet-programming-text = Typed code
facet-programming-none = No programming
facet-equipment-computers = Computers
facet-equipment-tablets = Tablets or phones
facet-equipment-offline = Works offline
facet-equipment-no_computers = No computers
facet-accessibility-screen_reader = Works with a screen reader
facet-accessibility-keyboard_only = Keyboard only
facet-accessibility-no_reading = No reading required
facet-accessibility-low_motor = Low motor demand
facet-subject-computer_science = Computer science
facet-subject-maths = Maths
facet-subject-science = Science
facet-subject-language_arts = Language arts
facet-subject-art = Art
facet-subject-music = Music
facet-subject-social_studies = Social studies
activity-submit-title = Suggest an activity
activity-submit-lead = Know a good activity for the hour? Tell us about it. Our team checks every suggestion before listing it: it must work without sign-up or payment, suit the ages given, be accessible as described and be available in the languages given.
activity-legend-text = The activity
activity-field-language = Language of this description
activity-field-title = Title
activity-field-summary = Summary (one or two sentences)
activity-field-description = Description
activity-field-url = Web address of the activity
activity-field-provider = Who made it
activity-legend-running = Running it
activity-field-duration = Length in minutes
activity-field-follow-on = It has follow-on lessons
activity-field-print = What to print per student (for unplugged material)
activity-field-languages = Languages it is available in
activity-legend-submitter = About you
activity-submitter-help = We write to you once our team has reviewed it. Your address is never shown on the site.
activity-field-submitter-name = Your name
activity-field-submitter-email = Your e-mail address
activity-submit-button = Send for review
activity-submitted-title = Thank you
activity-submitted = Thank you: your suggestion waits for our team's review. We will write to { $email } once it is reviewed.
activity-error-url-missing = Give the activity's web address.
activity-error-duration = Give the length in whole minutes, from 1 to { $max }.
activity-error-languages = Choose at most { $max } languages from the list.
activity-error-choice = Choose from the list.
activity-error-too-many = Too many suggestions from your network in a short time. Please try again in a few minutes.
activity-error-unavailable = We cannot save suggestions right now. Nothing was saved; your answers are still in the form. Please try again in a moment.
link-activity-title = Suggest an activity
link-activity-lead = Does your organization offer an activity for the hour? Suggest it for the campaign's catalogue: the team reviews it before it is listed.
link-activity-submitted = Thank you: your activity waits for the team's review.

## Map that finds events (clusters and points as links, zoom, events near a town) and an event's page
map-area = selected area
map-summary = The map shows { $events ->
    [one] { $events } event
   *[other] { $events } events
} in { $places ->
    [one] { $places } place
   *[other] { $places } places
}. Every place on the map is a link; the list after the map has the same links.
map-cluster = { $places }: { $events ->
    [one] { $events } event
   *[other] { $events } events
}, { $students ->
    [one] { $students } student
   *[other] { $students } students
}
map-list-events = Events on the map
map-list-places = Places on the map
map-list-more = And { $count ->
    [one] { $count } more place: zoom in to see it.
   *[other] { $count } more places: zoom in to see them.
}
map-empty = There are no events on this part of the map.
map-zoom-out = Zoom out
map-near-label = Events near a town
map-near-radius = Within
map-near-km = { $km } km
map-near-submit = Find events
map-near-heading = Events within { $km } km of { $town }
map-near-unknown = We do not know a town called “{ $name }”. Check the spelling, or try a larger town nearby.
map-near-choose = Which town called “{ $name }” do you mean?
map-near-others = Other towns called “{ $name }”:
map-near-candidate = { $town } ({ $population } inhabitants)
map-near-distance = { $km } km away
map-near-here = less than 1 km away
map-near-more = And { $count ->
    [one] { $count } more event farther away: choose a smaller distance to see it.
   *[other] { $count } more events farther away: choose a smaller distance to see them.
}
map-near-clear = Clear the search
map-activity = Only events running “{ $activity }”.
map-activity-unknown = Only events running one activity.
map-activity-all = Show all events
event-page-organization = Organization
event-page-type = Type of event
event-page-place = Where
event-page-dates = When
event-page-ages = Ages
event-page-language = Language
event-page-students = Students
event-page-link = Link
event-page-about = About the event
event-page-on-map = See it on the map
event-page-all = All events

## Events' activities and partner attribution (registration form, events filter, recognition wall, partner link page)
picker-legend = What will you run?
picker-help = Choose up to five activities from the campaign's catalogue, or describe your own.
picker-search = Search the catalogue by title
picker-search-button = Search
picker-none = No activity of the catalogue matches. Describe your own below.
picker-own = Our own activity (optional)
picker-heard-from = How did you hear about us?
picker-heard-none = Choose (optional)
picker-heard-other = Other
error-activities = Choose activities from the list.
error-activities-too-many = Choose at most { $max } activities.
error-heard-from = Choose one of the answers in the list.
events-filter-activity = Activity
partner-brought = Brought { $events ->
    [one] { $events } event
   *[other] { $events } events
}, { $students ->
    [one] { $students } student
   *[other] { $students } students
}
link-share-title = Your share link
link-share-lead = Share this address with schools and teachers: the events registered after following it count as brought by you.
link-share-label = Share link
link-brought-none = No approved events came through you yet.
