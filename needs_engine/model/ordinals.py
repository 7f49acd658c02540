"""The graded values a screener chooses from, each defined so two screeners pick the same one.

Values are listed least worrying first; a condition such as `>= 'problematic'` compares by
that order. Definitions are written for a front-door screener, in our own words.
"""

from __future__ import annotations

from .facts import Ordinal, define


class Immunisations(Ordinal):
    up_to_date = "up_to_date"
    partly_behind = "partly_behind"
    not_started_or_refused_without_advice = "not_started_or_refused_without_advice"


define(
    Immunisations,
    {
        "up_to_date": "All routine immunisations for the child's age have been given.",
        "partly_behind": "One or more routine immunisations are late but the family is engaging to catch up.",
        "not_started_or_refused_without_advice": "Few or none given, and the family has not engaged with health advice.",
    },
)


class Growth(Ordinal):
    on_track = "on_track"
    below_expected = "below_expected"
    faltering = "faltering"


define(
    Growth,
    {
        "on_track": "Weight and height follow the child's expected centiles.",
        "below_expected": "Growth is below expected and is being monitored by a health professional.",
        "faltering": "Growth is faltering (crossing centiles downwards) without a medical explanation.",
    },
)


class HealthNeeds(Ordinal):
    met = "met"
    minor_gaps = "minor_gaps"
    significant_unmet = "significant_unmet"
    serious_harm_from_neglect = "serious_harm_from_neglect"


define(
    HealthNeeds,
    {
        "met": "Health needs (including any illness or condition) are met by the family and universal health services.",
        "minor_gaps": "Some health needs are not consistently met, e.g. repeated minor untreated problems or untreated dental decay.",
        "significant_unmet": "A diagnosed condition or significant health need is not being treated or managed.",
        "serious_harm_from_neglect": "A serious or life-limiting condition is neglected so that the child is at risk of harm.",
    },
)


class Disability(Ordinal):
    none = "none"
    needs_met_in_universal = "needs_met_in_universal"
    needs_extra_support = "needs_extra_support"
    complex_needs = "complex_needs"


define(
    Disability,
    {
        "none": "No known disability or long-term condition.",
        "needs_met_in_universal": "A disability or condition whose needs are met by universal services with ordinary adjustments.",
        "needs_extra_support": "A disability or condition needing coordinated support from more than one service.",
        "complex_needs": "Complex or multiple disabilities needing specialist, multi-agency support to meet daily needs.",
    },
)


class ChildSubstanceUse(Ordinal):
    none = "none"
    experimenting = "experimenting"
    regular = "regular"
    daily_or_dependent = "daily_or_dependent"
    harmful = "harmful"


define(
    ChildSubstanceUse,
    {
        "none": "No known use of drugs, alcohol or volatile substances.",
        "experimenting": "Occasional experimental use with no evident effect on daily life.",
        "regular": "Regular use that is starting to affect school, health or relationships.",
        "daily_or_dependent": "Daily or dependent use.",
        "harmful": (
            "High-risk use: use that puts the child in danger (overdose, dangerous combinations or situations) "
            "or is seriously harming their health or development."
        ),
    },
)


class SexualHealth(Ordinal):
    no_concern = "no_concern"
    needs_advice = "needs_advice"
    risky_behaviour = "risky_behaviour"


define(
    SexualHealth,
    {
        "no_concern": "No concern about the young person's sexual health or relationships.",
        "needs_advice": "Sexually active and would benefit from advice or sexual-health services.",
        "risky_behaviour": "Sexual behaviour that places them at risk (e.g. repeated STIs, unprotected sex with several partners, older partners).",
    },
)


class AntenatalCare(Ordinal):
    booked_and_attending = "booked_and_attending"
    late_or_missed = "late_or_missed"
    concealed_or_none = "concealed_or_none"


define(
    AntenatalCare,
    {
        "booked_and_attending": "Booked with midwifery before 13 weeks and attending appointments.",
        "late_or_missed": "Booked late (after 20 weeks) or missing antenatal appointments.",
        "concealed_or_none": "The pregnancy is concealed or there has been no antenatal care.",
    },
)


class Delay(Ordinal):
    on_track = "on_track"
    some_delay = "some_delay"
    significant_delay = "significant_delay"


define(
    Delay,
    {
        "on_track": "Developing as expected for age.",
        "some_delay": "Some delay, responding to universal support or a single service.",
        "significant_delay": "Significant or persistent delay needing specialist assessment or support.",
    },
)


class SEND(Ordinal):
    none = "none"
    sen_support = "sen_support"
    ehcp = "ehcp"


define(
    SEND,
    {
        "none": "No identified special educational need.",
        "sen_support": "On SEN Support in school or setting.",
        "ehcp": "Has, or is being assessed for, an Education, Health and Care Plan.",
    },
)


class MentalHealthChild(Ordinal):
    none = "none"
    low_level = "low_level"
    moderate = "moderate"
    severe = "severe"


define(
    MentalHealthChild,
    {
        "none": "No known emotional or mental health difficulty.",
        "low_level": "Low mood, worry or anxiety that affects the child at times, manageable with universal support.",
        "moderate": "Persistent difficulties affecting school, sleep, eating or relationships; may need CAMHS or a specialist service.",
        "severe": "Severe or enduring mental illness, or a risk to the child's own safety from their mental health.",
    },
)


class SelfHarm(Ordinal):
    none = "none"
    thoughts = "thoughts"
    self_harming = "self_harming"
    serious_or_attempt = "serious_or_attempt"


define(
    SelfHarm,
    {
        "none": "No known self-harm or suicidal thoughts.",
        "thoughts": "Has spoken of self-harm or suicidal thoughts without acting on them.",
        "self_harming": "Is self-harming, without serious injury.",
        "serious_or_attempt": "Serious self-harm or a suicide attempt.",
    },
)


class Behaviour(Ordinal):
    age_appropriate = "age_appropriate"
    some_difficulties = "some_difficulties"
    persistent_difficulties = "persistent_difficulties"
    risk_to_self_or_others = "risk_to_self_or_others"


define(
    Behaviour,
    {
        "age_appropriate": "Behaviour is within what is expected for the child's age.",
        "some_difficulties": "Behaviour difficulties at home or school that respond to ordinary support.",
        "persistent_difficulties": "Persistent behaviour difficulties putting school place or family relationships at risk.",
        "risk_to_self_or_others": "Behaviour that places the child or others at risk of significant harm.",
    },
)


class Frequency(Ordinal):
    none = "none"
    occasional = "occasional"
    persistent = "persistent"


define(
    Frequency,
    {
        "none": "Not happening, as far as is known.",
        "occasional": "Has happened occasionally.",
        "persistent": "Happens persistently, or seriously enough to affect the child's daily life.",
    },
)


class SelfEsteem(Ordinal):
    positive = "positive"
    low = "low"
    very_low = "very_low"


define(
    SelfEsteem,
    {
        "positive": "The child has a positive sense of self and identity.",
        "low": "Low self-esteem or confidence that affects the child at times.",
        "very_low": "Very low self-worth, or distress about identity, affecting daily life.",
    },
)


class CaringRole(Ordinal):
    none = "none"
    some = "some"
    significant = "significant"


define(
    CaringRole,
    {
        "none": "No caring responsibilities beyond ordinary help at home.",
        "some": "Helps care for a family member, with some effect on school or social life.",
        "significant": "Caring responsibilities are inappropriate for the child's age or are harming education, health or development.",
    },
)


class RelationshipWithCarers(Ordinal):
    warm = "warm"
    strained = "strained"
    breaking_down = "breaking_down"


define(
    RelationshipWithCarers,
    {
        "warm": "A warm, secure relationship with their carers.",
        "strained": "Frequent arguments or a strained relationship, but the child feels cared for.",
        "breaking_down": "The relationship is breaking down: the child may leave or be asked to leave home.",
    },
)


class AntisocialBehaviour(Ordinal):
    none = "none"
    low_level = "low_level"
    persistent = "persistent"


define(
    AntisocialBehaviour,
    {
        "none": "No known antisocial behaviour.",
        "low_level": "Low-level antisocial behaviour (e.g. a warning or a report to school or police).",
        "persistent": "Persistent antisocial behaviour, or an injunction or behaviour order.",
    },
)


class Offending(Ordinal):
    none = "none"
    out_of_court = "out_of_court"
    charged_or_convicted = "charged_or_convicted"
    serious_or_violent = "serious_or_violent"


define(
    Offending,
    {
        "none": "No known offending.",
        "out_of_court": "An out-of-court disposal, caution or youth diversion.",
        "charged_or_convicted": "Charged with or convicted of an offence, or under youth justice supervision.",
        "serious_or_violent": "Charged with or convicted of a serious or violent offence, or remanded.",
    },
)


class Presentation(Ordinal):
    appropriate = "appropriate"
    sometimes_unkempt = "sometimes_unkempt"
    persistently_unkempt = "persistently_unkempt"


define(
    Presentation,
    {
        "appropriate": "Clean, dressed appropriately for the weather and age.",
        "sometimes_unkempt": "Sometimes unkempt or inappropriately dressed; noticed by others.",
        "persistently_unkempt": "Persistently dirty, smelly or inadequately dressed, affecting health or relationships.",
    },
)


class SelfCare(Ordinal):
    age_appropriate = "age_appropriate"
    some_gaps = "some_gaps"
    significant_gaps = "significant_gaps"


define(
    SelfCare,
    {
        "age_appropriate": "Has the self-care skills expected for their age and ability.",
        "some_gaps": "Some gaps in self-care skills for their age, e.g. toileting, dressing or managing money.",
        "significant_gaps": "Significant gaps that leave the child at risk or dependent beyond their age and ability.",
    },
)


class Risk(Ordinal):
    none = "none"
    low = "low"
    medium = "medium"
    high = "high"


define(
    Risk,
    {
        "none": "No known indicators.",
        "low": "Some vulnerability or early indicators, but no known targeting or harm.",
        "medium": "Indicators that the child is being targeted, groomed or drawn in.",
        "high": "The child is being exploited or harmed, or is at immediate risk of it.",
    },
)


class OnlineHarm(Ordinal):
    none = "none"
    risky_use = "risky_use"
    harmful_contact = "harmful_contact"


define(
    OnlineHarm,
    {
        "none": "No known concern about the child's online life.",
        "risky_use": "Risky online behaviour (contact with strangers, sharing personal information) without known harm.",
        "harmful_contact": "Harmful contact online: grooming, sextortion, sharing of sexual images, or serious cyberbullying.",
    },
)


class RadicalisationConcern(Ordinal):
    none = "none"
    some = "some"
    significant = "significant"


define(
    RadicalisationConcern,
    {
        "none": "No known concern.",
        "some": "Expressing extremist views or engaging with extremist material, without known contact with recruiters.",
        "significant": "In contact with extremist individuals or groups, or planning harm; a Prevent referral is needed.",
    },
)


class FGMRisk(Ordinal):
    none = "none"
    at_risk = "at_risk"
    suspected_or_confirmed = "suspected_or_confirmed"


define(
    FGMRisk,
    {
        "none": "No known risk of female genital mutilation.",
        "at_risk": "Factors indicate a risk of FGM (e.g. a sibling or mother has had FGM, planned travel to a practising community).",
        "suspected_or_confirmed": "FGM is suspected, disclosed or confirmed, or is about to take place.",
    },
)


class ForcedMarriageRisk(Ordinal):
    none = "none"
    at_risk = "at_risk"
    imminent_or_occurred = "imminent_or_occurred"


define(
    ForcedMarriageRisk,
    {
        "none": "No known risk of forced marriage.",
        "at_risk": "Indicators of a possible forced marriage.",
        "imminent_or_occurred": "A forced marriage is planned, imminent or has taken place.",
    },
)


class InjuryConcern(Ordinal):
    none = "none"
    explained_minor = "explained_minor"
    unexplained_or_suspicious = "unexplained_or_suspicious"


define(
    InjuryConcern,
    {
        "none": "No injury of concern.",
        "explained_minor": "A minor injury with a consistent explanation, as expected for the child's age and mobility.",
        "unexplained_or_suspicious": "An injury with no explanation, an explanation that does not fit, or of a suspicious pattern.",
    },
)


class MentalHealthAdult(Ordinal):
    none = "none"
    mild = "mild"
    diagnosed_stable = "diagnosed_stable"
    diagnosed_unstable = "diagnosed_unstable"
    crisis = "crisis"


define(
    MentalHealthAdult,
    {
        "none": "No known mental health difficulty.",
        "mild": "Low mood or anxiety with little effect on parenting, managed with GP or universal support.",
        "diagnosed_stable": "A diagnosed condition that is stable and being managed, with some effect on parenting at times.",
        "diagnosed_unstable": "A condition that is unstable or untreated and regularly affects the care of the children.",
        "crisis": "Acute crisis: psychosis, suicidal intent, or a mental state that leaves the children unsafe.",
    },
)


class SubstanceMisuse(Ordinal):
    none = "none"
    occasional = "occasional"
    problematic = "problematic"
    dependent = "dependent"


define(
    SubstanceMisuse,
    {
        "none": "No known misuse of alcohol or drugs.",
        "occasional": "Occasional use that does not affect the care of the children.",
        "problematic": "Use of alcohol or drugs that affects the care of the children at times.",
        "dependent": "Dependent use, or use that regularly leaves the children without a safe, sober carer.",
    },
)


class LearningDisability(Ordinal):
    none = "none"
    needs_some_support = "needs_some_support"
    impacts_parenting = "impacts_parenting"


define(
    LearningDisability,
    {
        "none": "No known learning disability.",
        "needs_some_support": "A learning disability or difficulty with some effect on parenting, met with advice and support.",
        "impacts_parenting": "A learning disability that means the carer cannot meet the children's needs without substantial support.",
    },
)


class AdultOffending(Ordinal):
    none = "none"
    past = "past"
    current = "current"
    risk_to_children = "risk_to_children"


define(
    AdultOffending,
    {
        "none": "No known offending.",
        "past": "Past offending with no current concern for the children.",
        "current": "Current or recent offending, or in prison or on licence, affecting family life.",
        "risk_to_children": "Convicted of, or known to pose a risk from, offences against children (including sexual offences).",
    },
)


class Capacity(Ordinal):
    good = "good"
    some_gaps = "some_gaps"
    inconsistent = "inconsistent"
    failing = "failing"


define(
    Capacity,
    {
        "good": "Meets the children's needs in this area consistently.",
        "some_gaps": "Mostly meets the children's needs, with gaps that advice or a single service could address.",
        "inconsistent": "Often does not meet the children's needs in this area; the children are affected.",
        "failing": "Consistently fails to meet the children's needs in this area, so the children are at risk of harm.",
    },
)


class Engagement(Ordinal):
    engaging = "engaging"
    inconsistent = "inconsistent"
    not_engaging = "not_engaging"
    hostile_or_evasive = "hostile_or_evasive"


define(
    Engagement,
    {
        "engaging": "Works with services and takes up the help offered.",
        "inconsistent": "Engages at times; appointments and agreed actions are often missed.",
        "not_engaging": "Does not engage, or avoids services, when the children's needs require it.",
        "hostile_or_evasive": "Hostile to professionals, or deliberately hides the children from them.",
    },
)


class HousingStatus(Ordinal):
    settled = "settled"
    at_risk = "at_risk"
    temporary_accommodation = "temporary_accommodation"
    homeless = "homeless"


define(
    HousingStatus,
    {
        "settled": "Settled housing (owned, rented or social) with no threat to the tenancy.",
        "at_risk": "The tenancy is at risk (arrears, notice served) or the home is overcrowded.",
        "temporary_accommodation": "In temporary or emergency accommodation, or sofa-surfing.",
        "homeless": "Homeless, with nowhere to stay tonight.",
    },
)


class HousingConditions(Ordinal):
    adequate = "adequate"
    poor = "poor"
    hazardous = "hazardous"


define(
    HousingConditions,
    {
        "adequate": "The home is safe, warm and adequately clean.",
        "poor": "The home is in poor repair, damp or cluttered, affecting comfort or health.",
        "hazardous": "The home is hazardous: unsafe wiring, drugs or sharp items within reach, infestation, or squalor.",
    },
)


class ParentalConflict(Ordinal):
    none = "none"
    occasional = "occasional"
    frequent = "frequent"


define(
    ParentalConflict,
    {
        "none": "No more disagreement than any family has.",
        "occasional": "Occasional heated arguments that the children sometimes witness.",
        "frequent": "Frequent, intense or unresolved conflict between the adults that affects the children.",
    },
)


class Hardship(Ordinal):
    none = "none"
    some = "some"
    severe = "severe"


define(
    Hardship,
    {
        "none": "The household can meet its basic needs.",
        "some": "Money is tight; the household sometimes struggles with bills or food.",
        "severe": "The household cannot reliably afford food, heating or essentials for the children.",
    },
)


class Isolation(Ordinal):
    connected = "connected"
    some_isolation = "some_isolation"
    isolated = "isolated"


define(
    Isolation,
    {
        "connected": "The family has friends, neighbours or community links.",
        "some_isolation": "The family has few connections and little support nearby.",
        "isolated": "The family is isolated, with no one to turn to.",
    },
)


class WiderFamilyRisk(Ordinal):
    none = "none"
    some_concern = "some_concern"
    poses_risk = "poses_risk"


define(
    WiderFamilyRisk,
    {
        "none": "No concern about wider family or regular visitors.",
        "some_concern": "Wider family or visitors whose behaviour causes some concern (e.g. drinking, conflict).",
        "poses_risk": "A relative or visitor with access to the children is known to pose a risk to them.",
    },
)


# --- case status and history (issue 12) -------------------------------------------------------


class CurrentPlan(Ordinal):
    none = "none"
    early_help_plan = "early_help_plan"
    child_in_need_plan = "child_in_need_plan"
    child_protection_plan = "child_protection_plan"


define(
    CurrentPlan,
    {
        "none": "No open plan for the child.",
        "early_help_plan": "An open early help plan with a lead professional.",
        "child_in_need_plan": "An open Child in Need plan (section 17) with a social worker.",
        "child_protection_plan": "An open child protection plan (section 47 conference).",
    },
)


class PreviousPlan(Ordinal):
    none = "none"
    more_than_two_years_ago = "more_than_two_years_ago"
    within_two_years = "within_two_years"


define(
    PreviousPlan,
    {
        "none": "The child has never had a child protection plan.",
        "more_than_two_years_ago": "A child protection plan that ended more than two years ago.",
        "within_two_years": "A child protection plan that ended within the last two years.",
    },
)


class LookedAfter(Ordinal):
    never = "never"
    previously = "previously"
    currently = "currently"


define(
    LookedAfter,
    {
        "never": "Never looked after by a local authority.",
        "previously": "Looked after in the past (in care, or accommodated under section 20), now at home.",
        "currently": "Looked after by a local authority now.",
    },
)


class LegalStatus(Ordinal):
    none = "none"
    private_law_dispute = "private_law_dispute"
    pre_proceedings = "pre_proceedings"
    care_proceedings_or_order = "care_proceedings_or_order"


define(
    LegalStatus,
    {
        "none": "No court proceedings or orders about the child.",
        "private_law_dispute": "A court dispute between the adults about where the child lives or whom they see.",
        "pre_proceedings": "The local authority has started the pre-proceedings process (Public Law Outline letter).",
        "care_proceedings_or_order": "Care or supervision proceedings are under way, or such an order is in force.",
    },
)


class PhysicalHealthAdult(Ordinal):
    none = "none"
    managed = "managed"
    affects_care = "affects_care"
    severely_affects_care = "severely_affects_care"


define(
    PhysicalHealthAdult,
    {
        "none": "No physical illness or disability that affects daily life.",
        "managed": "A physical illness or disability that is managed and does not affect the care of the children.",
        "affects_care": "A physical illness or disability that at times limits the care the adult can give.",
        "severely_affects_care": "A physical illness or disability that stops the adult meeting the children's needs without help.",
    },
)


class OtherMemberConcern(Ordinal):
    none = "none"
    some_impact = "some_impact"
    affects_children = "affects_children"


define(
    OtherMemberConcern,
    {
        "none": "No concern about anyone else in the household in this respect.",
        "some_impact": "Another household member has this difficulty, with some impact on family life.",
        "affects_children": "Another household member's difficulty affects the children's care, safety or wellbeing.",
    },
)


class PersonPosingRisk(Ordinal):
    none = "none"
    concern = "concern"
    known_risk_to_children = "known_risk_to_children"


define(
    PersonPosingRisk,
    {
        "none": "No one else in the household is known to pose a risk to children.",
        "concern": "Another household member's behaviour towards children causes concern.",
        "known_risk_to_children": "Another household member has been convicted of, or is known to pose a risk of, offences against children.",
    },
)

# --- harm categories and qualifiers (issue 12) ------------------------------------------------


class EmotionalAbuse(Ordinal):
    none = "none"
    some_concern = "some_concern"
    persistent = "persistent"


define(
    EmotionalAbuse,
    {
        "none": "No concern about how the child is spoken to or treated emotionally.",
        "some_concern": "At times the child is criticised, rejected or frightened in a way that affects them.",
        "persistent": "Persistent emotional ill-treatment: the child is made to feel worthless, unloved or in danger.",
    },
)


class HonourBasedAbuse(Ordinal):
    none = "none"
    at_risk = "at_risk"
    occurred = "occurred"


define(
    HonourBasedAbuse,
    {
        "none": "No concern of abuse to protect a family's or community's 'honour'.",
        "at_risk": "The child is at risk of abuse to protect a family's or community's 'honour'.",
        "occurred": "The child has suffered abuse to protect a family's or community's 'honour'.",
    },
)


class BreastIroning(Ordinal):
    none = "none"
    at_risk = "at_risk"
    suspected_or_confirmed = "suspected_or_confirmed"


define(
    BreastIroning,
    {
        "none": "No concern of breast ironing or flattening.",
        "at_risk": "The child is at risk of breast ironing or flattening.",
        "suspected_or_confirmed": "Breast ironing or flattening is suspected, disclosed or confirmed.",
    },
)


class ChildOnChild(Ordinal):
    none = "none"
    single_incident = "single_incident"
    repeated_or_serious = "repeated_or_serious"


define(
    ChildOnChild,
    {
        "none": "No concern of abuse between children.",
        "single_incident": "One incident of physical, sexual or emotional abuse between children.",
        "repeated_or_serious": "Repeated abuse between children, or one serious incident.",
    },
)


class ChildToParentViolence(Ordinal):
    none = "none"
    occasional = "occasional"
    frequent_or_serious = "frequent_or_serious"


define(
    ChildToParentViolence,
    {
        "none": "No violence or abuse by the child towards the adults at home.",
        "occasional": "Occasional aggression or violence by the child towards a parent or carer.",
        "frequent_or_serious": "Frequent violence by the child towards a parent or carer, or violence that causes injury or fear.",
    },
)


class RelationshipAbuse(Ordinal):
    none = "none"
    concern = "concern"
    serious = "serious"


define(
    RelationshipAbuse,
    {
        "none": "No concern about abuse in the young person's own relationships.",
        "concern": "Controlling or abusive behaviour in the young person's own relationship.",
        "serious": "Violence, sexual abuse or coercive control in the young person's own relationship.",
    },
)


class Suicidality(Ordinal):
    none = "none"
    thoughts = "thoughts"
    plan = "plan"
    attempt = "attempt"


define(
    Suicidality,
    {
        "none": "No known suicidal thoughts.",
        "thoughts": "Has spoken of wanting to die or of suicidal thoughts, without a plan.",
        "plan": "Has a plan, or has taken steps towards ending their life.",
        "attempt": "Has attempted suicide.",
    },
)


class Weight(Ordinal):
    healthy = "healthy"
    overweight = "overweight"
    obese = "obese"
    severely_obese = "severely_obese"


define(
    Weight,
    {
        "healthy": "A healthy weight for height and age.",
        "overweight": "Overweight for height and age (above the 91st BMI centile).",
        "obese": "Obese for height and age (above the 98th BMI centile).",
        "severely_obese": "Severely obese (well above the 98th BMI centile), with health effects or unmet health needs.",
    },
)
