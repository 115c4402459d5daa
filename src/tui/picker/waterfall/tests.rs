use super::*;
use crate::integrations::waterfall::definition::Validate;

fn step(check: Check, param: &str) -> StepRow {
    let mut row = StepRow::new("hunter_email".into(), "hunter_email".into(), check);
    row.param = Input::new(param.into());
    row
}

#[test]
fn validators_become_the_files_keys_and_read_back() {
    let verified = step(Check::Verified, "valid, accept_all")
        .to_def(1)
        .unwrap();
    assert_eq!(
        verified.validate,
        Validate {
            email: true,
            verify: vec!["valid".into(), "accept_all".into()],
            ..Validate::default()
        }
    );
    let range = step(Check::Range, "10..").to_def(1).unwrap();
    assert_eq!((range.validate.min, range.validate.max), (Some(10.0), None));
    assert!(
        step(Check::Range, "ten")
            .to_def(2)
            .unwrap_err()
            .contains("step 2")
    );
    for (check, param) in [
        (Check::Verified, "valid"),
        (Check::UrlHost, "linkedin.com/company/"),
        (Check::Range, "0..100"),
        (Check::Email, ""),
        (Check::NotEmpty, ""),
    ] {
        let back = StepRow::from_def(&step(check, param).to_def(1).unwrap()).unwrap();
        assert_eq!((back.check, back.param.value()), (check, param));
    }
}
